from dataclasses import dataclass

KINDS = ("percent", "fixed")


@dataclass(frozen=True)
class Discount:
    code: str
    kind: str
    value: int
    min_subtotal: int = 0

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise ValueError("a discount needs a code")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if self.kind == "percent" and not 1 <= self.value <= 100:
            raise ValueError(f"a percentage must be 1 to 100, not {self.value}")
        if self.kind == "fixed" and self.value < 1:
            raise ValueError(f"a fixed discount must be at least 1 cent, not {self.value}")
        if self.min_subtotal < 0:
            raise ValueError("min_subtotal must not be negative")

    def amount(self, subtotal: int) -> int:
        if subtotal < self.min_subtotal:
            return 0
        if self.kind == "percent":
            return subtotal * self.value // 100
        return min(self.value, subtotal)


def normalize(code: str) -> str:
    return code.strip().upper()
