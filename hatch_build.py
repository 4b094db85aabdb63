"""Build hook: compile the gettext catalogs (``.po``) into the ``.mo`` files the wheel carries.

Babel compiles them, as it does at run time for a source checkout (see
``jifen_dsl/messages/catalogs.py``). An editable install reads the ``.po`` files in
place, so nothing is compiled for it.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if version == "editable":
            return
        # The package's own compiler (stdlib and Babel only), loaded by path: the build
        # environment need not have the package's dependencies.
        path = Path(self.root) / "jifen_dsl" / "messages" / "catalogs.py"
        spec = importlib.util.spec_from_file_location("_jifen_catalogs", path)
        catalogs = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(catalogs)

        out = Path(tempfile.mkdtemp(prefix="jifen-catalogs-"))
        for folder in sorted(catalogs.LOCALE_DIR.glob("*/LC_MESSAGES")):
            lang = folder.parent.name
            mo = out / lang / f"{catalogs.DOMAIN}.mo"
            mo.parent.mkdir(parents=True, exist_ok=True)
            mo.write_bytes(catalogs.compile_catalog(catalogs.catalog_files(lang), lang))
            build_data["force_include"][str(mo)] = f"jifen_dsl/messages/locale/{lang}/LC_MESSAGES/{catalogs.DOMAIN}.mo"
