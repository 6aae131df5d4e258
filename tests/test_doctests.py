import doctest
import importlib
import pkgutil

import pytest

import cleaner

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(cleaner.__path__, prefix="cleaner.")
    if info.name not in {"cleaner.__main__"}
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
