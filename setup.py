"""Build: the package is plain Python; where Cython and a C compiler are at hand, the case-side
modules that have a `.pxd` beside them are also compiled (docs/compiled.md). Without either, the
build goes on quietly with the pure-Python modules, which give the same results."""
from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = sorted(str(pxd.with_suffix(".py")) for pxd in Path("sim/model").glob("*.pxd"))
# the same floating-point operations as CPython: no fused multiply-add, no fast-math
C_FLAGS = ["-O2", "-ffp-contract=off", "-fno-fast-math"]


class OptionalBuildExt(build_ext):
    """Compile what can be compiled; a module that fails stays pure Python."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # no compiler at all
            print(f"caseload: not compiled ({error}); the pure-Python modules are used",
                  file=sys.stderr)

    def build_extension(self, ext) -> None:
        try:
            super().build_extension(ext)
        except Exception as error:
            print(f"caseload: {ext.name} not compiled ({error}); its pure-Python module is used",
                  file=sys.stderr)


def extensions() -> list:
    """The compiled modules, each cythonized on its own: one Cython cannot translate is left out
    (said on stderr), the rest go on."""
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("caseload: Cython not found; the pure-Python modules are used", file=sys.stderr)
        return []
    from setuptools import Extension
    compiled = []
    for path in COMPILED:
        module = Extension(path[:-3].replace("/", "."), [path], extra_compile_args=C_FLAGS)
        try:
            compiled += cythonize([module], quiet=True, compiler_directives={
                "language_level": 3, "annotation_typing": False})
        except Exception as error:
            print(f"caseload: {module.name} not translated ({error}); its pure-Python module is "
                  f"used", file=sys.stderr)
    return compiled


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
