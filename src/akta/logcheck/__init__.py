"""Loggkontroll: the pages and the `akta auditlog` command that answer questions about the read
and write log (who read a person, what a user read, every access to protected persons) and
verify its chain. It sits above cases (it looks persons up); the log itself is akta.audit,
below cases, which every component writes to."""
