import datetime
import decimal
from decimal import Decimal


class ReportError(Exception):
    pass


def build_report(csv_text):
    # parse + validate + aggregate + format, all in one go (grew over time...)
    lines = csv_text.splitlines()
    rows = []
    hdr = False
    for i in range(len(lines)):
        l = lines[i].strip()
        if l == "" or l[0] == "#":
            continue
        if hdr == False:
            if [c.strip().lower() for c in l.split(",")] != ["date", "region", "product", "quantity", "unit_price"]:
                raise ReportError("line %d: unexpected header" % (i + 1))
            hdr = True
            continue
        f = [x.strip() for x in l.split(",")]
        if len(f) != 5:
            raise ReportError("line %d: expected 5 fields, got %d" % (i + 1, len(f)))
        try:
            d = datetime.date.fromisoformat(f[0])
        except ValueError:
            raise ReportError("line %d: bad date %r" % (i + 1, f[0]))
        if f[1] == "":
            raise ReportError("line %d: empty region" % (i + 1))
        if f[2] == "":
            raise ReportError("line %d: empty product" % (i + 1))
        try:
            q = int(f[3])
            if q <= 0:
                raise ValueError
        except ValueError:
            raise ReportError("line %d: bad quantity %r" % (i + 1, f[3]))
        try:
            p = Decimal(f[4])
            if not p.is_finite() or p < 0:
                raise decimal.InvalidOperation
        except decimal.InvalidOperation:
            raise ReportError("line %d: bad price %r" % (i + 1, f[4]))
        rows.append((d, f[1], f[2], q, p))
    if hdr == False:
        raise ReportError("no header")
    regs = {}
    for r in rows:
        if r[1] not in regs:
            regs[r[1]] = [Decimal(0), 0, {}]
        regs[r[1]][0] = regs[r[1]][0] + r[3] * r[4]
        regs[r[1]][1] = regs[r[1]][1] + r[3]
        if r[2] in regs[r[1]][2]:
            regs[r[1]][2][r[2]] = regs[r[1]][2][r[2]] + r[3] * r[4]
        else:
            regs[r[1]][2][r[2]] = r[3] * r[4]
    out = "%-12s%12s%8s  %s\n" % ("Region", "Revenue", "Units", "Top product")
    out += "-" * 48 + "\n"
    tot = Decimal(0)
    tu = 0
    for k in sorted(regs.keys(), key=lambda k: (-regs[k][0], k)):
        best = None
        for prod in regs[k][2]:
            if best is None or regs[k][2][prod] > regs[k][2][best] or (regs[k][2][prod] == regs[k][2][best] and prod < best):
                best = prod
        out += "%-12s%12s%8d  %s\n" % (k, regs[k][0].quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP), regs[k][1], best)
        tot += regs[k][0]
        tu += regs[k][1]
    out += "-" * 48 + "\n"
    out += "%-12s%12s%8d\n" % ("Total", tot.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP), tu)
    if len(rows) > 0:
        out += "Period: %s to %s\n" % (min(r[0] for r in rows).isoformat(), max(r[0] for r in rows).isoformat())
    else:
        out += "Period: none\n"
    return out
