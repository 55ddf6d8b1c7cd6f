"""The installed package: headers and a CMake package for C++, a bug report, stubs a type checker uses, and a
wheel that works with only its declared dependencies."""
import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def chainerx_dir(flag):
    return subprocess.check_output([sys.executable, '-m', 'chainerx', flag], text=True).strip()


def test_cmake_dir_has_package_config():
    assert os.path.isfile(os.path.join(chainerx_dir('--cmake-dir'), 'chainerxConfig.cmake'))
    assert os.path.isfile(os.path.join(chainerx_dir('--include-dir'), 'chainerx', 'chainerx.hpp'))


@pytest.mark.skipif(shutil.which('cmake') is None and not os.path.exists(os.path.join(os.path.dirname(sys.executable), 'cmake')),
                    reason='cmake is not installed')
@pytest.mark.parametrize('example, expected, build_type', [
    ('hello', 'dtype float32, shape (2, 3)', 'Release'),
    # A user's dtype and a user's device, from outside the library (Debug: quicker to compile).
    ('custom_dtype', 'OK', 'Debug'),
    ('custom_device', 'OK', 'Debug'),
])
def test_consumer_project_builds_and_runs(tmp_path, example, expected, build_type):
    cmake = shutil.which('cmake') or os.path.join(os.path.dirname(sys.executable), 'cmake')
    source = os.path.join(ROOT, 'examples', 'cpp', example)
    build = str(tmp_path / 'build')
    subprocess.check_call([cmake, '-S', source, '-B', build, '-DCMAKE_BUILD_TYPE=' + build_type,
                           '-DCMAKE_PREFIX_PATH=' + chainerx_dir('--cmake-dir'),
                           '-DPython_EXECUTABLE=' + sys.executable], stdout=subprocess.DEVNULL)
    subprocess.check_call([cmake, '--build', build], stdout=subprocess.DEVNULL)
    output = subprocess.check_output([os.path.join(build, 'chainerx_' + example)], text=True)
    assert expected in output


def run_python(code, python=sys.executable):
    return subprocess.run([str(python), '-c', code], capture_output=True, text=True, timeout=300)


def test_import_needs_no_pytest():
    # pytest is a test extra: blocking it must not break `import chainerx` or chainerx.testing.
    result = run_python("import sys; sys.modules['pytest'] = None\n"
                        "import chainerx, chainerx.testing\n"
                        "assert 'chainerx.testing' in sys.modules\n"
                        "chainerx.testing.assert_array_equal(chainerx.ones((2,)), [1, 1])\n"
                        "print('ok')")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'ok'


def test_import_chainerx_does_not_import_testing():
    # As in ChainerX: chainerx.testing is imported only on request.
    result = run_python("import sys, chainerx; print('chainerx.testing' in sys.modules)")
    assert result.stdout.strip() == 'False', result.stderr


def test_python_m_chainerx_prints_a_bug_report():
    output = subprocess.check_output([sys.executable, '-m', 'chainerx'], text=True)
    import chainerx
    assert output.startswith('chainerx {}'.format(chainerx.__version__))
    for key in ('numpy ', 'compiler: ', 'blas: ', 'openmp threads: ', 'cuda support: '):
        assert key in output
    assert 'openblas' in output.lower()
    threads = int(output.split('openmp threads: ')[1].split()[0])
    assert threads >= 1


def test_exception_hierarchy():
    import chainerx
    names = ('ContextError', 'BackendError', 'DeviceError', 'DimensionError', 'DtypeError', 'NotImplementedError',
             'GradientError', 'GradientCheckError')
    for name in names:
        assert issubclass(getattr(chainerx, name), chainerx.ChainerxError)
    assert issubclass(chainerx.ChainerxError, Exception)
    assert issubclass(chainerx.NotImplementedError, NotImplementedError)
    with pytest.raises(chainerx.ChainerxError):
        chainerx.ones((2,)) + chainerx.ones((3,))


WHEEL = os.environ.get('CHAINERX_WHEEL')


@pytest.mark.skipif(not WHEEL, reason='set CHAINERX_WHEEL to a built wheel (scripts/test.sh does)')
def test_wheel_works_with_only_its_declared_dependencies(tmp_path):
    venv = tmp_path / 'venv'
    subprocess.check_call([sys.executable, '-m', 'venv', str(venv)])
    python = venv / 'bin' / 'python'
    subprocess.check_call([str(python), '-m', 'pip', 'install', '-q', '-c',
                           os.path.join(ROOT, 'scripts', 'constraints.txt'), WHEEL])
    listed = subprocess.check_output([str(python), '-m', 'pip', 'list', '--format=freeze'], text=True)
    names = {line.split('==')[0].lower().replace('_', '-') for line in listed.split()}
    assert names - {'pip', 'setuptools'} == {'chainerx', 'numpy', 'scipy-openblas32'}
    result = run_python("import chainerx as chx, chainerx.testing, chainerx.linalg\n"
                        "x = chx.arange(6, dtype='float32').reshape(2, 3).require_grad()\n"
                        "y = (x @ x.T).sum()\n"
                        "y.backward()\n"
                        "print(float(y), chx.linalg.det(chx.eye(3)).item(), x.grad.shape)", python)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['83.0', '1.0', '(2,', '3)']
    result = subprocess.run([str(python), '-m', 'chainerx'], capture_output=True, text=True)
    assert result.returncode == 0 and 'blas: ' in result.stdout, result.stderr


def _stubs_installed():
    import chainerx
    package = os.path.dirname(os.path.abspath(chainerx.__file__))
    return os.path.isfile(os.path.join(package, 'py.typed')) and any(
        os.path.isfile(os.path.join(package, *path)) for path in (('_core.pyi',), ('_core', '__init__.pyi')))


GOOD_TYPED_USE = '''
import chainerx as chx

x = chx.ones((2, 3), dtype=chx.float32)
y: chx.ndarray = chx.add(chx.exp(x), 1)
z = chx.conv(chx.zeros((1, 1, 4, 4)), chx.ones((1, 1, 3, 3)), stride=1, pad=1)
s = chx.sum(y, axis=0, keepdims=True)
d: chx.Device = chx.get_device('native:0')
x.require_grad()
print(y.shape, z.ndim, s.dtype, d.name, x.grad)
'''

BAD_TYPED_USE = '''
import chainerx as chx

x = chx.ones((2, 3))
chx.conv(x, stride=1)
chx.exp(x, base=2)
'''


@pytest.mark.skipif(importlib.util.find_spec('mypy') is None, reason='mypy is not installed')
def test_stubs_let_a_type_checker_check_calls(tmp_path):
    if not _stubs_installed():
        pytest.skip('chainerx is not installed from a wheel (an editable install hides the stubs from mypy)')
    good = tmp_path / 'good.py'
    bad = tmp_path / 'bad.py'
    good.write_text(GOOD_TYPED_USE)
    bad.write_text(BAD_TYPED_USE)

    def mypy(path):
        return subprocess.run([sys.executable, '-m', 'mypy', '--no-incremental', '--cache-dir', str(tmp_path / 'cache'),
                               '--python-executable', sys.executable, str(path)],
                              capture_output=True, text=True, cwd=str(tmp_path))

    result = mypy(good)
    assert result.returncode == 0, result.stdout + result.stderr
    result = mypy(bad)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'bad.py:5: error' in result.stdout and '"w"' in result.stdout
    assert 'bad.py:6: error' in result.stdout and '"base"' in result.stdout
