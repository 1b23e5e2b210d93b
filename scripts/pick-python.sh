#!/bin/sh
# The interpreter `make` builds its venv on, when PYTHON is not given: the system's python3 when it
# is 3.11 or newer and can make a venv (Debian's needs python3-venv), else python3 from PATH.
# Distributions build CPython with profile-guided and link-time optimisation and link the
# interpreter statically; pyenv, by default, builds neither (a shared libpython, no profile), and
# the diff engine runs about a seventh slower on it (docs/benchmarks.md).
# PICK_PYTHON_CANDIDATES replaces the list tried (for the tests).
for p in ${PICK_PYTHON_CANDIDATES:-/usr/bin/python3 python3}; do
    if "$p" -c 'import ensurepip, sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "$p"
        exit 0
    fi
done
echo python3
