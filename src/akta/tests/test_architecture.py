"""The components' import layers (pyproject.toml [tool.importlinter]): no import cycles between
components; a component imports only from the layers below it. cases depends on access, audit
and law only; exchange, the log pages and the demo data sit above the components they read or fill."""
from pathlib import Path

from importlinter.cli import lint_imports

CONFIG = Path(__file__).resolve().parents[3] / "pyproject.toml"


def test_the_layers_contract_is_kept():
    assert CONFIG.is_file()
    assert lint_imports(config_filename=str(CONFIG), no_cache=True) == 0
