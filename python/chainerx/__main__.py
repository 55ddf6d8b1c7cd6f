"""python -m chainerx: what a bug report needs; --cmake-dir | --include-dir: where the C++ package is."""
import argparse
import os
import platform
import sys


def _root():
    # The directory of the compiled module: the installed package, or the build tree of an
    # editable install. The headers and the CMake package are installed beside it.
    from chainerx import _core
    return os.path.dirname(os.path.abspath(_core.__file__))


def build_report():
    """The lines `python -m chainerx` prints: versions, compiler, BLAS, threads and CUDA devices."""
    import numpy

    import chainerx
    from chainerx import _core

    info = _core._build_info()
    lines = [
        'chainerx {} ({})'.format(chainerx.__version__, os.path.dirname(os.path.abspath(chainerx.__file__))),
        'python {} on {} ({})'.format(platform.python_version(), platform.platform(), platform.machine()),
        'numpy {}'.format(numpy.__version__),
    ]
    lines += ['{}: {}'.format(key, info[key]) for key in ('compiler', 'c++ standard', 'blas', 'lapack')]
    lines.append('openmp threads: {} (OMP_NUM_THREADS={})'.format(
        info['openmp threads'], os.environ.get('OMP_NUM_THREADS', 'unset')))
    lines.append('cuda support: {}'.format(info['cuda support']))
    if 'cuda devices' in info:
        lines += ['  ' + line for line in info['cuda devices'].splitlines()]
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m chainerx',
        description='Without options: print what a bug report needs (versions, compiler, BLAS, threads, CUDA).')
    parser.add_argument('--cmake-dir', action='store_true', help='print the directory of chainerxConfig.cmake')
    parser.add_argument('--include-dir', action='store_true', help='print the C++ include directory')
    args = parser.parse_args(argv)
    if args.cmake_dir:
        print(os.path.join(_root(), 'share', 'cmake', 'chainerx'))
    elif args.include_dir:
        print(os.path.join(_root(), 'include'))
    else:
        print('\n'.join(build_report()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
