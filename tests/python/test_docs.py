"""Every public name of chainerx has a docstring: what it does, and every argument it takes.

Public means: a callable or class reachable from chainerx, chainerx.linalg, chainerx.random or
chainerx.testing whose name has no leading underscore and that chainerx defines (NumPy's re-exported
dtypes, constants and the builtins are NumPy's and Python's), and the public methods and properties
of chainerx's classes. For each overload, the docstring must have a summary of at least three words
and mention every named parameter (self, *args and **kwargs excepted) as a word.
"""
import inspect
import re

import pytest

import chainerx
import chainerx.testing

MODULES = (chainerx, chainerx.linalg, chainerx.random, chainerx.testing)


def _defined_by_chainerx(obj):
    return (getattr(obj, '__module__', None) or '').startswith('chainerx')


def _nb_overloads(func):
    """(parameter names, doc) of each overload of a nanobind function."""
    result = []
    for signature, doc, _ in func.__nb_signature__:
        # "def name(a: T, /, b: U = \\=1, *, c=...) -> R": drop the types and defaults, keep the names.
        text = signature.split('(', 1)[1].rsplit(')', 1)[0] if '(' in signature else ''
        names = []
        depth = 0
        current = ''
        for ch in text + ',':
            if ch in '([{':
                depth += 1
            elif ch in ')]}':
                depth -= 1
            if ch == ',' and depth == 0:
                names.append(current.strip())
                current = ''
            else:
                current += ch
        params = []
        for item in names:
            name = re.split(r'[:=]', item, maxsplit=1)[0].strip()
            if name and name not in ('/', '*', 'self') and not name.startswith('*'):
                params.append(name)
        result.append((params, doc or ''))
    return result


def _py_overloads(func):
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return [([], inspect.getdoc(func) or '')]
    params = [p.name for p in signature.parameters.values()
              if p.name not in ('self', 'cls') and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return [(params, inspect.getdoc(func) or '')]


def _overloads(func):
    if hasattr(func, '__nb_signature__'):
        return _nb_overloads(func)
    return _py_overloads(func)


def _public_items():
    seen = set()
    for module in MODULES:
        for name in sorted(dir(module)):
            if name.startswith('_'):
                continue
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not callable(obj) or not _defined_by_chainerx(obj):
                continue
            qualname = '{}.{}'.format(module.__name__, name)
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            yield qualname, obj
            if isinstance(obj, type):
                for attr, member in sorted(vars(obj).items()):
                    if attr.startswith('_'):
                        continue
                    if isinstance(member, property):
                        yield '{}.{}'.format(qualname, attr), member
                    elif callable(member) or isinstance(member, (staticmethod, classmethod)):
                        yield '{}.{}'.format(qualname, attr), getattr(obj, attr)


PUBLIC = list(_public_items())


def test_public_api_is_large():
    # Guards the enumeration itself: chainerx has a few hundred public callables.
    assert len(PUBLIC) > 300


def _check_text(qualname, params, doc):
    summary = doc.strip().split('\n\n', 1)[0]
    assert len(summary.split()) >= 3, '{}: no docstring (or a summary under three words)'.format(qualname)
    words = set(re.findall(r'\w+', doc))
    missing = [p for p in params if p not in words]
    assert not missing, '{}: the docstring does not mention {}'.format(qualname, ', '.join(missing))


@pytest.mark.parametrize('qualname,obj', PUBLIC, ids=[q for q, _ in PUBLIC])
def test_has_docstring(qualname, obj):
    if isinstance(obj, property):
        _check_text(qualname, [], obj.__doc__ or '')
    elif isinstance(obj, type):
        _check_text(qualname, [], obj.__doc__ or '')
    else:
        for params, doc in _overloads(obj):
            _check_text(qualname, params, doc)


def test_help_of_conv_is_useful():
    text = inspect.getdoc(chainerx.conv)
    for word in ('stride', 'pad', 'cover_all', 'Returns'):
        assert word in text
