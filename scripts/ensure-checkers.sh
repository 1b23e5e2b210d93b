#!/usr/bin/env bash
# The external checkers of the publishing tests: newsboat (a real feed reader; Debian's package,
# installed with apt-get when we are root) and the Nu HTML Checker (vnu.jar from npm's vnu-jar,
# into .tools/; it needs Java). A checker that cannot be installed is reported here and its
# tests skip with that reason; nothing else depends on them.
set -u
cd "$(dirname "$0")/.."

if command -v newsboat >/dev/null; then
  echo "checkers: newsboat $(newsboat --version | head -1 | cut -d' ' -f2)"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "checkers: installing newsboat with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q newsboat >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q newsboat >/dev/null 2>&1; }
  command -v newsboat >/dev/null && echo "checkers: newsboat installed" || echo "checkers: newsboat could not be installed" >&2
else
  echo "checkers: newsboat missing (install it with your package manager); its tests will skip" >&2
fi

JAR=.tools/node_modules/vnu-jar/build/dist/vnu.jar
if [ -f "$JAR" ]; then
  echo "checkers: $JAR"
elif command -v npm >/dev/null; then
  echo "checkers: installing vnu-jar with npm into .tools/" >&2
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --silent vnu-jar@26 >/dev/null 2>&1
  [ -f "$JAR" ] && echo "checkers: $JAR" || echo "checkers: vnu-jar could not be installed" >&2
else
  echo "checkers: npm missing, so no vnu.jar; the HTML validity tests will skip" >&2
fi
command -v java >/dev/null || echo "checkers: java missing: vnu.jar cannot run (apt-get install -y openjdk-17-jre-headless)" >&2
exit 0
