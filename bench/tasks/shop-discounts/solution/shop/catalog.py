from collections.abc import Iterable
from dataclasses import dataclass

from shop.discounts import Discount, normalize
from shop.errors import UnknownCodeError, UnknownProductError


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: int  # cents


class Catalog:
    def __init__(self, products: Iterable[Product] = (), discounts: Iterable[Discount] = ()):
        self._products: dict[str, Product] = {}
        self._discounts: dict[str, Discount] = {}
        for product in products:
            self.add(product)
        for discount in discounts:
            self.add_discount(discount)

    def add(self, product: Product) -> None:
        if product.price < 0:
            raise ValueError(f"negative price for {product.sku}")
        self._products[product.sku] = product

    def get(self, sku: str) -> Product:
        try:
            return self._products[sku]
        except KeyError:
            raise UnknownProductError(f"unknown product: {sku}") from None

    def add_discount(self, discount: Discount) -> None:
        key = normalize(discount.code)
        if key in self._discounts:
            raise ValueError(f"duplicate discount code: {discount.code}")
        self._discounts[key] = discount

    def discount(self, code: str) -> Discount:
        try:
            return self._discounts[normalize(code)]
        except KeyError:
            raise UnknownCodeError(f"unknown discount code: {code}") from None
