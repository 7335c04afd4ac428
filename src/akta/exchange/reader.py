"""Reading an exchange directory or .zip into numbered lines (exchange-v1 §1)."""
import hashlib
import zipfile
from pathlib import Path

REQUIRED = ("manifest.json", "persons.jsonl", "cases.jsonl", "events.jsonl")


class Source:
    """The four files of one exchange, with the names used in error messages."""

    def __init__(self, path):
        self.path = str(path)
        self.files = {}  # name -> bytes
        self.display = {}  # name -> "path/name" for FILE:LINE messages
        self.missing = []
        p = Path(path)
        if p.is_dir():
            for name in REQUIRED:
                f = p / name
                self.display[name] = str(f)
                if f.is_file():
                    self.files[name] = f.read_bytes()
                else:
                    self.missing.append(name)
        elif p.is_file() and zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                names = {Path(n).name: n for n in z.namelist() if not n.endswith("/")}
                for name in REQUIRED:
                    self.display[name] = f"{p}/{name}"
                    if name in names:
                        self.files[name] = z.read(names[name])
                    else:
                        self.missing.append(name)
        else:
            raise FileNotFoundError(f"{path}: ingen katalog eller zip-fil")

    def sha256(self):
        h = hashlib.sha256()
        for name in REQUIRED:
            h.update(name.encode() + b"\0" + self.files.get(name, b"") + b"\0")
        return h.hexdigest()

    def lines(self, name):
        """Yield (line_number, text) for non-blank lines; a decoding error is reported by the caller."""
        data = self.files.get(name, b"")
        text = data.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        for no, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                yield no, line
