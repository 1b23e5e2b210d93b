#!/usr/bin/env bash
# Make sure a Chromium exists for browser pages and browser tests: one already found
# (POLICYWATCH_CHROMIUM, PATH, Playwright's install), else Playwright's installer, else, as root
# on Debian, apt-get. Prints the browser it settled on.
set -u
PY=${PY:-.venv/bin/python}

if found=$("$PY" -m policywatch.crawler.browser 2>/dev/null); then
  echo "browser: $found"
  exit 0
fi
echo "browser: none found; trying: python -m playwright install chromium" >&2
if timeout 300 "$PY" -m playwright install chromium >/dev/null 2>&1 && found=$("$PY" -m policywatch.crawler.browser 2>/dev/null); then
  echo "browser: $found"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "browser: trying apt-get install -y chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }
  if found=$("$PY" -m policywatch.crawler.browser 2>/dev/null); then
    echo "browser: $found"
    exit 0
  fi
fi
"$PY" -m policywatch.crawler.browser
exit 1
