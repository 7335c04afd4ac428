"""Operations: backup and restore of the database (`akta backup`, `akta restore`), with what a
restore needs outside the database to verify the read/write log (docs/operations.md)."""
