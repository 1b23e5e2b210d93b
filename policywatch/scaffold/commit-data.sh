#!/usr/bin/env bash
# Commit data/ when a tracking run changed it (versions, health, the delivery state of alerts),
# naming the documents whose versions changed; push.
# Run by the "Commit data" step of the tracking workflows (from the repository's root). A run in
# which nothing changed leaves data/ byte-identical, so it commits nothing.
set -euo pipefail
git config user.name "policywatch"
git config user.email "policywatch@users.noreply.github.com"
git add --all data
if git diff --cached --quiet; then
  echo "data/ unchanged: nothing to commit"
  exit 0
fi
docs=$(git diff --cached --name-only -- data/versions | cut -d/ -f3 | sort -u)
count=$(printf '%s' "$docs" | grep -c . || true)
if [ "$count" -eq 0 ]; then
  if git diff --cached --quiet -- data/health.json data/pending; then
    subject="Notification state updated"  # data/notify-state/: alerts sent, queued or retried
  else
    subject="Tracking health changed"
  fi
elif [ "$count" -le 5 ]; then
  subject="Policy changes: $(printf '%s' "$docs" | paste -sd ' ' -)"
else
  subject="Policy changes in $count documents"
fi
git commit --quiet -m "$subject" -m "$(printf 'Changed documents:\n%s' "${docs:-none}")"
git push --quiet
echo "committed: $subject"
