"""Checks a hamronization.tsv with the hAMRonization package itself.

Usage: python hamronization_check.py FILE

Every row must build the package's hAMRonizedResult (mandatory fields present, every value of
its field's type), the columns must be the specification's fields in its order, and the
package's `summarize` must merge the file. Prints the number of rows; exits non-zero on any
problem.
"""

import csv
import dataclasses
import io
import sys
from contextlib import redirect_stderr, redirect_stdout

from hAMRonization.hAMRonizedResult import hAMRonizedResult
from hAMRonization.summarize import summarize_reports


def main(path):
    fields = [field.name for field in dataclasses.fields(hAMRonizedResult)]
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        if reader.fieldnames != fields:
            sys.exit(f"{path}: columns {reader.fieldnames} are not the specification's {fields}")
        rows = 0
        for line, row in enumerate(reader, start=2):
            values = {key: (value if value != "" else None) for key, value in row.items()}
            mandatory = [f.name for f in dataclasses.fields(hAMRonizedResult)
                         if f.default is dataclasses.MISSING]
            missing = [name for name in mandatory if not values[name]]
            if missing:
                sys.exit(f"{path}: line {line}: mandatory fields empty: {missing}")
            try:
                hAMRonizedResult(**values)
            except ValueError as error:
                sys.exit(f"{path}: line {line}: {error}")
            rows += 1
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        summarize_reports([path], "tsv")
    summarized = list(csv.DictReader(io.StringIO(out.getvalue()), delimiter="\t"))
    if len(summarized) != rows:
        sys.exit(f"{path}: summarize kept {len(summarized)} of {rows} rows")
    print(rows)


if __name__ == "__main__":
    main(sys.argv[1])
