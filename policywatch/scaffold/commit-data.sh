#!/usr/bin/env bash
# Commit data/ when a tracking run changed it (versions, health, the delivery state of alerts),
# naming the documents whose versions changed; push.
# Run by the "Commit data" step of the tracking workflows (from the repository's root). A run in
# which nothing changed leaves data/ byte-identical, so it commits nothing.
#
#   scripts/commit-data.sh [RECORD]
#
# RECORD: the data folder a crawl job uploaded: its record (versions/, snapshots/, pending/,
# health.json, and notify-state/, the alerts' delivery state) replaces that of data/ first, so
# files the crawl removed (a pending text recorded at last, a recovered document's health) go
# too; data/sources and data/notify.yml stay as checked out (they may have been edited
# meanwhile).
#
# Someone may push while the run crawls (an edit of the sources): the push is then refused, so
# the data commit is rebased onto what was pushed and pushed again, a few times; a conflict
# stops it with a message (the crawl's data stays in the run's artifact).
set -euo pipefail
record="${1:-}"
if [ -n "$record" ]; then
  if [ ! -d "$record/sources" ]; then
    echo "commit-data: $record is not a data folder uploaded by a crawl (no sources/): nothing changed" >&2
    exit 1
  fi
  rm -rf data/versions data/snapshots data/pending data/health.json data/notify-state
  mkdir -p data
  for part in versions snapshots pending health.json notify-state; do
    if [ -e "$record/$part" ]; then
      cp -a "$record/$part" data/
    fi
  done
fi
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
branch="${GITHUB_REF_NAME:-$(git rev-parse --abbrev-ref HEAD)}"
for attempt in 1 2 3 4 5; do
  if git push --quiet origin "HEAD:refs/heads/$branch"; then
    echo "committed: $subject"
    exit 0
  fi
  echo "commit-data: push refused (try $attempt of 5): rebasing onto origin/$branch" >&2
  git fetch --quiet origin "$branch"
  if ! git rebase --quiet "origin/$branch"; then
    git rebase --abort || true
    echo "commit-data: the data commit conflicts with origin/$branch; nothing pushed" >&2
    exit 1
  fi
  sleep "$attempt"
done
echo "commit-data: the push was refused 5 times; nothing pushed" >&2
exit 1
