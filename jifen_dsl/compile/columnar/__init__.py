"""The columnar backend: a checked policy as polars expressions, evaluating a whole cohort at once.

It gives exactly what the scalar backend (:mod:`jifen_dsl.compile.compiler`)
gives for each applicant - the same failed requirements in the same order, the
same Decimals to the exponent, the same batch and keys - and marks ``trouble``
where the scalar evaluation would raise. It is built from the checked model
(:mod:`jifen_dsl.lang.model`), never from generated source, and every
operation means what :data:`jifen_dsl.lang.operations.OPS` says.

Modules: ``backend`` (the policy: :func:`compile_columnar`), ``expressions``
(an IR node as columns), ``reach`` (which nodes the scalar backend computes,
for trouble), ``values`` (how each kind of value is held), ``stages``
(intermediate columns), ``decimals`` (exact Decimal arithmetic in Int128),
``dates`` (the month-end rule), ``workdays`` (the working-day calendar as
lookup tables), ``evidence`` (sums over evidence lists), ``fallback``
(element-wise Python).

Element-wise fallbacks - the scalar backend's own function from ``OPS``, called
per row under ``DECIMAL_CONTEXT``, for the rows that need it only:

* ``div``: every row (a quotient to 28 significant digits has no exact
  vectorised form);
* ``add``, ``sub``, ``mul``, ``neg``, the sum of scores: rows whose exact result
  has 28 digits or more (Python rounds it), whose operands have 27 digits or
  more or exponents more than 10 apart (Int128 cannot align them), or whose
  exponents come near the context's limits;
* comparisons, ``between``, ``min``/``max``, ``in`` a set of numbers: rows whose
  decimals cannot be aligned in Int128, as above;
* ``round``: rows whose exponent comes near the context's limits;
* ``evidence_sum``, ``evidence_total``: rows whose running total could reach
  28 digits, or whose items cannot be aligned in Int128.

What a column cannot hold, and so differs: a frame's ``{c, e}`` decimal has
no negative zero, so a cell read as ``Decimal('-0')`` reaches this backend as
``0`` (a negative zero *computed* by a policy is kept, and told by the
``..._nz`` column beside each decimal result); and an integer of 10**38 or
more, or an integer key beyond Int64, which Python computes without a
murmur, makes its row ``trouble`` here.

May import: :mod:`jifen_dsl.lang`, :mod:`jifen_dsl.timeline`, the rest of
:mod:`jifen_dsl.compile` and the shared basics; polars. Never reads a file.
"""

from jifen_dsl.compile.columnar.backend import NEGATIVE_ZERO, ColumnarPolicy, compile_columnar

__all__ = ["ColumnarPolicy", "compile_columnar", "NEGATIVE_ZERO"]
