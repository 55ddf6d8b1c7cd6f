"""The installed package carries the headers and a CMake package a C++ project can build against."""
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
def test_consumer_project_builds_and_runs(tmp_path):
    cmake = shutil.which('cmake') or os.path.join(os.path.dirname(sys.executable), 'cmake')
    source = os.path.join(ROOT, 'examples', 'cpp', 'hello')
    build = str(tmp_path / 'build')
    subprocess.check_call([cmake, '-S', source, '-B', build, '-DCMAKE_BUILD_TYPE=Release',
                           '-DCMAKE_PREFIX_PATH=' + chainerx_dir('--cmake-dir'),
                           '-DPython_EXECUTABLE=' + sys.executable], stdout=subprocess.DEVNULL)
    subprocess.check_call([cmake, '--build', build], stdout=subprocess.DEVNULL)
    output = subprocess.check_output([os.path.join(build, 'chainerx_hello')], text=True)
    assert 'dtype float32, shape (2, 3)' in output
