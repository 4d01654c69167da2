import pytest

from sales import ReportError, build_report

CSV = """date,region,product,quantity,unit_price
2024-03-01,North,Widget,10,2.50
2024-03-02,South,Gadget,1,99.99
# a correction
2024-03-05,North,Gizmo,2,20
"""

EXPECTED = """Region           Revenue   Units  Top product
------------------------------------------------
South              99.99       1  Gadget
North              65.00      12  Gizmo
------------------------------------------------
Total             164.99      13
Period: 2024-03-01 to 2024-03-05
"""


def test_report():
    assert build_report(CSV) == EXPECTED


def test_bad_quantity_names_the_line():
    with pytest.raises(ReportError, match="line 3: bad quantity 'x'"):
        build_report("date,region,product,quantity,unit_price\n\n2024-01-01,N,W,x,1\n")
