"""The whole suite runs the Python path unless a test asks for compiled kernels.

Trajectory.extend uses a compiled kernel when one is ready and starts compiling
one in the background otherwise (core/kernels); tests other than
tests/core/test_kernels_*.py should neither wait for that nor spend CPU on it.
``OPTIVIZ_KERNELS=numba python -m pytest`` runs everything with kernels instead.
"""

import os

os.environ.setdefault("OPTIVIZ_KERNELS", "python")
