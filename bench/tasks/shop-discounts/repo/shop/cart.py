from shop.catalog import Catalog, Product
from shop.errors import ShopError
from shop.money import format_cents


class Cart:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._quantities: dict[str, int] = {}

    def add(self, sku: str, quantity: int = 1) -> None:
        if quantity < 1:
            raise ValueError("quantity must be at least 1")
        self.catalog.get(sku)
        self._quantities[sku] = self._quantities.get(sku, 0) + quantity

    def remove(self, sku: str, quantity: int | None = None) -> None:
        """Take `quantity` of `sku` out of the cart; all of it when quantity is None."""
        if sku not in self._quantities:
            raise ShopError(f"not in cart: {sku}")
        if quantity is None or quantity >= self._quantities[sku]:
            del self._quantities[sku]
        else:
            self._quantities[sku] -= quantity

    def lines(self) -> list[tuple[Product, int]]:
        """(product, quantity) in the order first added."""
        return [(self.catalog.get(sku), quantity) for sku, quantity in self._quantities.items()]

    def subtotal(self) -> int:
        return sum(product.price * quantity for product, quantity in self.lines())

    def total(self) -> int:
        return self.subtotal()

    def receipt(self) -> str:
        rows = [f"{quantity} x {product.name} @ {format_cents(product.price)}"
                f" = {format_cents(product.price * quantity)}"
                for product, quantity in self.lines()]
        rows.append(f"Subtotal: {format_cents(self.subtotal())}")
        rows.append(f"Total: {format_cents(self.total())}")
        return "\n".join(rows)
