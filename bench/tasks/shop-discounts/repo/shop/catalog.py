from collections.abc import Iterable
from dataclasses import dataclass

from shop.errors import UnknownProductError


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: int  # cents


class Catalog:
    def __init__(self, products: Iterable[Product] = ()):
        self._products: dict[str, Product] = {}
        for product in products:
            self.add(product)

    def add(self, product: Product) -> None:
        if product.price < 0:
            raise ValueError(f"negative price for {product.sku}")
        self._products[product.sku] = product

    def get(self, sku: str) -> Product:
        try:
            return self._products[sku]
        except KeyError:
            raise UnknownProductError(f"unknown product: {sku}") from None
