# Dependencies shared by the build tree and by consumers of an installed chainerx.
find_package(OpenMP REQUIRED COMPONENTS CXX)

# CPU BLAS/LAPACK come from PyPI's scipy-openblas32 (symbols prefixed with scipy_). Locate it
# through the Python that has it installed unless the caller pointed OpenBLAS_DIR somewhere.
if(NOT TARGET OpenBLAS::OpenBLAS)
  if(NOT OpenBLAS_DIR)
    if(NOT Python_EXECUTABLE)
      find_package(Python COMPONENTS Interpreter QUIET)
    endif()
    if(Python_EXECUTABLE)
      execute_process(
        COMMAND ${Python_EXECUTABLE} -c "import scipy_openblas32 as s, os; print(os.path.join(s.get_lib_dir(), 'cmake', 'openblas'))"
        OUTPUT_VARIABLE _chainerx_openblas_dir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(_chainerx_openblas_dir)
        set(OpenBLAS_DIR ${_chainerx_openblas_dir})
      endif()
    endif()
  endif()
  find_package(OpenBLAS CONFIG QUIET)
endif()
