"""The ground floor: the sources registry, the store of versions (files + SQLite index), and the
change records derived from them. Imports only `diffs` of ours."""
