"""Reading an exchange directory or .zip into numbered lines (exchange-v1 §1), within limits.

The four files are streamed, never held whole: a first pass (`scan`) hashes them, counts the
bytes actually read (not trusting a zip's declared sizes) and checks every line's length and
UTF-8; a second pass (`lines`) yields the lines to parse. Peak memory therefore follows the
records kept, not the size of a file or a zip's compression ratio.

Refused, as `FILE:LINE: message` before anything is parsed (settings, from the environment):
- an expanded size of the four files above IMPORT_MAX_BYTES (`AKTA_IMPORT_MAX_BYTES`,
  default 2 GiB), by the zip's declared sizes and again by counting while reading;
- a line (or the whole manifest) above IMPORT_MAX_LINE_BYTES (`AKTA_IMPORT_MAX_LINE_BYTES`,
  default 1 MiB);
- a zip holding one of the four files more than once (in different folders, or twice by the same
  name), since it cannot be known which one is meant.
"""
import hashlib
import zipfile
from pathlib import Path

from django.conf import settings

REQUIRED = ("manifest.json", "persons.jsonl", "cases.jsonl", "events.jsonl")
CHUNK = 1 << 16


class SourceRefused(Exception):
    def __init__(self, errors):
        super().__init__(f"{len(errors)} fel")
        self.errors = errors


def _mib(n):
    """A size for a message: 2 GiB, 1 MiB, 1.5 MiB, 600 KiB, 900 byte."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} byte"


class _TooLarge(Exception):
    pass


class Source:
    """The four files of one exchange, with the names used in error messages."""

    def __init__(self, path, max_bytes=None, max_line_bytes=None):
        self.path = str(path)
        self.max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
        self.max_line = settings.IMPORT_MAX_LINE_BYTES if max_line_bytes is None else max_line_bytes
        self.display = {}  # name -> "path/name" for FILE:LINE messages
        self.missing = []
        self.not_utf8 = {}  # name -> (line, reason) of the first line that is not UTF-8
        self._zip = None
        self._members = {}  # name -> zip member name or file path
        self._sha = None
        refusals = []
        p = Path(path)
        if p.is_dir():
            for name in REQUIRED:
                f = p / name
                self.display[name] = str(f)
                if f.is_file():
                    self._members[name] = f
                else:
                    self.missing.append(name)
        elif p.is_file() and zipfile.is_zipfile(p):
            try:
                self._zip = zipfile.ZipFile(p)
                infos = [i for i in self._zip.infolist() if not i.is_dir()]
            except (zipfile.BadZipFile, OSError) as e:
                raise SourceRefused([f"{p}:0: zip-filen kan inte läsas ({e})"]) from None
            found = {}
            for i in infos:
                found.setdefault(Path(i.filename).name, []).append(i)
            for name in REQUIRED:
                self.display[name] = f"{p}/{name}"
                members = found.get(name, [])
                if len(members) > 1:
                    where = ", ".join(i.filename for i in members)
                    refusals.append(f"{p}/{name}:0: zip-filen innehåller {name} {len(members)} gånger ({where}); "
                                    "det går inte att veta vilken som gäller")
                elif members:
                    self._members[name] = members[0]
                else:
                    self.missing.append(name)
        else:
            raise FileNotFoundError(f"{path}: ingen katalog eller zip-fil")
        declared = self._declared_size()
        if declared > self.max_bytes:
            refusals.append(f"{self.path}:0: uppackad är importen {_mib(declared)}, mer än gränsen {_mib(self.max_bytes)} "
                            "(AKTA_IMPORT_MAX_BYTES)")
        if refusals:
            self.close()
            raise SourceRefused(refusals)

    def _declared_size(self):
        """What the zip's headers (or the file system) say the four files expand to."""
        total = 0
        for m in self._members.values():
            total += m.file_size if isinstance(m, zipfile.ZipInfo) else m.stat().st_size
        return total

    def close(self):
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def _open(self, name):
        m = self._members[name]
        return self._zip.open(m) if isinstance(m, zipfile.ZipInfo) else open(m, "rb")

    def _raw_lines(self, name):
        """Yield (line_number, bytes, too_long) for each line, reading at most max_line + 1 bytes at a time."""
        with self._open(name) as f:
            no = 0
            while True:
                line = f.readline(self.max_line + 1)
                if not line:
                    return
                no += 1
                too_long = len(line) > self.max_line and not line.endswith(b"\n")
                yield no, line, too_long
                while too_long:  # the rest of the line in chunks, never whole: counted and hashed only
                    rest = f.readline(CHUNK)
                    if not rest:
                        break
                    yield no, rest, None
                    if rest.endswith(b"\n"):
                        break

    def scan(self):
        """First pass: hash, count, and check limits. Raises SourceRefused with every problem."""
        if self._sha is not None:
            return self._sha
        h = hashlib.sha256()
        total, refusals = 0, []
        try:
            for name in REQUIRED:
                h.update(name.encode() + b"\0")
                if name in self._members:
                    size = 0
                    for no, data, too_long in self._raw_lines(name):
                        h.update(data)
                        size += len(data)
                        total += len(data)
                        if total > self.max_bytes:
                            raise _TooLarge
                        if name == "manifest.json":
                            if size > self.max_line:
                                refusals.append(f"{self.display[name]}:0: manifestet är större än gränsen "
                                                f"{_mib(self.max_line)} (AKTA_IMPORT_MAX_LINE_BYTES)")
                                break
                            continue
                        if too_long is None:
                            continue
                        if too_long:
                            refusals.append(f"{self.display[name]}:{no}: raden är längre än gränsen "
                                            f"{_mib(self.max_line)} (AKTA_IMPORT_MAX_LINE_BYTES)")
                        if name not in self.not_utf8 and not too_long:
                            try:
                                data.decode("utf-8")
                            except UnicodeDecodeError as e:
                                self.not_utf8[name] = (no, e.reason)
                h.update(b"\0")
        except _TooLarge:
            refusals.append(f"{self.path}:0: uppackad är importen större än gränsen {_mib(self.max_bytes)} "
                            "(AKTA_IMPORT_MAX_BYTES); zip-filens angivna storlek stämmer inte")
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            refusals.append(f"{self.path}:0: filen kan inte läsas ({e})")
        if refusals:
            self.close()
            raise SourceRefused(refusals)
        self._sha = h.hexdigest()
        return self._sha

    def sha256(self):
        return self.scan()

    def read(self, name):
        """A whole (small) file: the manifest, whose size scan() has checked."""
        self.scan()
        with self._open(name) as f:
            return f.read(self.max_line + 1)

    def lines(self, name):
        """Yield (line_number, text) for non-blank lines, streamed; call after scan() (which
        found any line that is not UTF-8: see not_utf8)."""
        self.scan()
        if name not in self._members:
            return
        first = True
        for no, data, too_long in self._raw_lines(name):
            if too_long is None:
                continue
            text = data.decode("utf-8")
            if first:
                text = text.removeprefix("\ufeff")
                first = False
            text = text.removesuffix("\n")
            if text.strip():
                yield no, text
