import ast
import dataclasses
import datetime
import inspect
from decimal import Decimal
from pathlib import Path

import pytest

import sales
from sales import report
from sales.errors import ReportError
from sales.parsing import Sale, parse_sales
from sales.render import render
from sales.summary import RegionSummary, period, summarize

# Inputs and the exact output of build_report before the refactor.
REPORTS = {
    'ties_and_rounding': (
        '# exported 2024-04-01\n'
        '\n'
        ' Date , REGION,product,Quantity,unit_price \n'
        '2024-02-10,East,Bolt,3,0.335\n'
        '2024-01-31,West,Nut,1,1.005\n'
        '2024-02-01,East,Anchor,1,1.005\n'
        '   \n'
        '2024-02-29,West,Bolt,1,0.000\n'
        '2024-03-01,Central Europe Region,Gear,2,1e2\n'
        '2024-02-14,Gamma,Q,4,5\n'
        '2024-02-15,Alpha,Zeta,5,2\n'
        '2024-02-16,Alpha,Beta,2,5\n'
        '2024-02-17,Beta,X,1,10.005\n'
        '2024-02-18,North,Y,1_000,0.01\n'
        '2024-02-19,North,Y,+2,0.01\n'
    ,
        'Region           Revenue   Units  Top product\n'
        '------------------------------------------------\n'
        'Central Europe Region      200.00       2  Gear\n'
        'Alpha              20.00       7  Beta\n'
        'Gamma              20.00       4  Q\n'
        'North              10.02    1002  Y\n'
        'Beta               10.01       1  X\n'
        'East                2.01       4  Anchor\n'
        'West                1.01       2  Nut\n'
        '------------------------------------------------\n'
        'Total             263.04    1022\n'
        'Period: 2024-01-31 to 2024-03-01\n'
    ),
    'header_only': (
        'date,region,product,quantity,unit_price\n'
        '# nothing sold\n'
    ,
        'Region           Revenue   Units  Top product\n'
        '------------------------------------------------\n'
        '------------------------------------------------\n'
        'Total               0.00       0\n'
        'Period: none\n'
    ),
    'single_row': (
        'date,region,product,quantity,unit_price\n'
        '2023-12-31,Ö,Ü,7,-0\n'
    ,
        'Region           Revenue   Units  Top product\n'
        '------------------------------------------------\n'
        'Ö                   0.00       7  Ü\n'
        '------------------------------------------------\n'
        'Total               0.00       7\n'
        'Period: 2023-12-31 to 2023-12-31\n'
    ),
}
ERRORS = [
    ('',
     'no header'),
    ('# only a comment\n\n',
     'no header'),
    ('date,region,product,qty,unit_price\n',
     'line 1: unexpected header'),
    ('\n\ndate,region,product\n',
     'line 3: unexpected header'),
    ('date,region,product,quantity,unit_price\n2024-01-01,N,W,1\n',
     'line 2: expected 5 fields, got 4'),
    ('date,region,product,quantity,unit_price\n2024-01-01,N,W,1,2,3\n',
     'line 2: expected 5 fields, got 6'),
    ('date,region,product,quantity,unit_price\n#c\n2024-02-30,N,W,1,2\n',
     "line 3: bad date '2024-02-30'"),
    ('date,region,product,quantity,unit_price\n2024-01-01, ,W,1,2\n',
     'line 2: empty region'),
    ('date,region,product,quantity,unit_price\n2024-01-01,N,,1,2\n',
     'line 2: empty product'),
    ('date,region,product,quantity,unit_price\n2024-01-01,N,W,0,2\n',
     "line 2: bad quantity '0'"),
    ('date,region,product,quantity,unit_price\n2024-01-01,N,W,-3,2\n',
     "line 2: bad quantity '-3'"),
    ('date,region,product,quantity,unit_price\n2024-01-01,N,W,1.5,2\n',
     "line 2: bad quantity '1.5'"),
    ('date,region,product,quantity,unit_price\n2024-01-01,N,W,1,abc\n',
     "line 2: bad price 'abc'"),
    ('date,region,product,quantity,unit_price\n2024-01-01,N,W,1,-0.01\n',
     "line 2: bad price '-0.01'"),
    ('date,region,product,quantity,unit_price\n2024-01-01,N,W,1,NaN\n',
     "line 2: bad price 'NaN'"),
    ('date,region,product,quantity,unit_price\n2024-01-01,N,W,1,Infinity\n',
     "line 2: bad price 'Infinity'"),
    ('date,region,product,quantity,unit_price\n2024-01-01,N,W,x,-1\n',
     "line 2: bad quantity 'x'"),
]


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_text_is_unchanged(name):
    text, expected = REPORTS[name]
    assert sales.build_report(text) == expected


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_errors_are_unchanged(text, message):
    with pytest.raises(ReportError) as info:
        sales.build_report(text)
    assert str(info.value) == message
    with pytest.raises(ReportError) as info:
        parse_sales(text)
    assert str(info.value) == message


def test_one_report_error_class():
    assert sales.ReportError is ReportError
    assert report.ReportError is ReportError
    assert issubclass(ReportError, Exception)


def test_sale_dataclass():
    fields = [field.name for field in dataclasses.fields(Sale)]
    assert fields == ["date", "region", "product", "quantity", "unit_price"]
    sale = Sale(datetime.date(2024, 1, 2), "North", "Widget", 3, Decimal("0.335"))
    assert sale.revenue == Decimal("1.005")
    assert isinstance(sale.revenue, Decimal)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sale.quantity = 4


def test_parse_sales():
    text, _ = REPORTS["ties_and_rounding"]
    parsed = parse_sales(text)
    assert len(parsed) == 11
    assert parsed[0] == Sale(datetime.date(2024, 2, 10), "East", "Bolt", 3, Decimal("0.335"))
    assert parsed[-1] == Sale(datetime.date(2024, 2, 19), "North", "Y", 2, Decimal("0.01"))
    assert parsed[9].quantity == 1000
    assert parse_sales("date,region,product,quantity,unit_price\n") == []


def test_summarize_and_period():
    east = [Sale(datetime.date(2024, 1, 5), "East", "B", 1, Decimal("2")),
            Sale(datetime.date(2024, 1, 1), "East", "A", 2, Decimal("1")),
            Sale(datetime.date(2024, 1, 9), "West", "C", 1, Decimal("4.5"))]
    assert summarize(east) == [RegionSummary("West", Decimal("4.5"), 1, "C"),
                               RegionSummary("East", Decimal("4"), 3, "A")]
    assert [field.name for field in dataclasses.fields(RegionSummary)] == [
        "region", "revenue", "units", "top_product"]
    assert period(east) == (datetime.date(2024, 1, 1), datetime.date(2024, 1, 9))
    assert period([]) is None
    assert summarize([]) == []


def test_summary_revenue_is_not_rounded():
    sale = Sale(datetime.date(2024, 1, 1), "N", "P", 1, Decimal("1.005"))
    assert summarize([sale])[0].revenue == Decimal("1.005")


def test_render_rounds_and_formats():
    summaries = [RegionSummary("North", Decimal("1.005"), 2, "Widget")]
    assert render(summaries, (datetime.date(2024, 1, 1), datetime.date(2024, 2, 1))) == (
        "Region           Revenue   Units  Top product\n"
        "------------------------------------------------\n"
        "North               1.01       2  Widget\n"
        "------------------------------------------------\n"
        "Total               1.01       2\n"
        "Period: 2024-01-01 to 2024-02-01\n")
    assert render([], None).endswith("Total               0.00       0\nPeriod: none\n")


def test_report_module_only_chains_the_pieces():
    tree = ast.parse(Path(inspect.getfile(report)).read_text())
    functions = [node.name for node in ast.walk(tree)
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    lambdas = [node for node in ast.walk(tree) if isinstance(node, ast.Lambda)]
    classes = [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    assert functions == ["build_report"]
    assert lambdas == [] and classes == []
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert {"parse_sales", "summarize", "period", "render"} <= names
