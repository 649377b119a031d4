"""Build: the package is plain Python; where Cython and a C compiler are at hand, the case kernel is
also compiled (docs/compiled.md): the modules of `sim/model` with a `.pxd` beside them (Cython's
pure-Python mode: the `.py` is the source) and the C-only `.pyx` ones. Without Cython or a compiler,
or if any of them fails to build, none is compiled and the pure-Python modules, which give the same
results, are used; the build says so on stderr and goes on."""
from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

MODEL = Path("sim/model")
SOURCES = (sorted(str(pxd.with_suffix(".py")) for pxd in MODEL.glob("*.pxd")
                  if pxd.with_suffix(".py").exists())
           + sorted(str(pyx) for pyx in MODEL.glob("*.pyx")))
C_DIR = "build/cython"  # Cython's generated C, kept out of the package's sources
# the same floating-point operations as CPython: no contraction into fused multiply-adds, no
# fast-math (clang contracts by default where the processor has FMA, e.g. Apple silicon)
FLAGS = {"msvc": ["/fp:precise"], "unix": ["-ffp-contract=off", "-fno-fast-math"]}


def say_pure(why: str) -> None:
    print(f"caseload: the case kernel is not compiled ({why}); the pure-Python modules are used",
          file=sys.stderr)


class OptionalBuildExt(build_ext):
    """Compile every module of the kernel, or none (they cimport each other's types)."""

    def build_extensions(self) -> None:
        flags = FLAGS.get(self.compiler.compiler_type, FLAGS["unix"])
        for extension in self.extensions:
            extension.extra_compile_args = flags
        try:
            super().build_extensions()
        except Exception as error:
            self._remove_built()
            say_pure(str(error).strip().splitlines()[-1] if str(error).strip() else repr(error))

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # e.g. no compiler at all
            self._remove_built()
            say_pure(repr(error))

    def _remove_built(self) -> None:
        for extension in self.extensions:
            Path(self.get_ext_fullpath(extension.name)).unlink(missing_ok=True)


def kernel() -> list:
    """The kernel's extension modules, translated to C by Cython (none without Cython, or if one
    cannot be translated)."""
    try:
        from Cython.Build import cythonize
    except ImportError:
        say_pure("Cython not found")
        return []
    from setuptools import Extension
    modules = [Extension(path.rsplit(".", 1)[0].replace("/", "."), [path]) for path in SOURCES]
    try:
        return cythonize(modules, quiet=True, build_dir=C_DIR, compiler_directives={
            "language_level": 3, "annotation_typing": False})  # the .pxd files say the types
    except Exception as error:
        say_pure(f"Cython: {error}")
        return []


setup(ext_modules=kernel(), cmdclass={"build_ext": OptionalBuildExt})
