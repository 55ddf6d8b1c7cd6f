"""Gradient-check tolerances per float dtype, shared by the test modules (float16 needs a coarse
step and loose bounds; float64 can be checked tightly)."""
GRAD_TOLERANCES = {'float16': dict(eps=2 ** -4, atol=5e-2, rtol=5e-2),
                   'float32': dict(eps=1e-3, atol=1e-3, rtol=1e-3),
                   'float64': dict(eps=1e-6, atol=1e-6, rtol=1e-6)}
DOUBLE_GRAD_TOLERANCES = {'float16': dict(eps=2 ** -4, atol=1e-1, rtol=1e-1),
                          'float32': dict(eps=1e-3, atol=1e-2, rtol=1e-2),
                          'float64': dict(eps=1e-6, atol=1e-5, rtol=1e-5)}
