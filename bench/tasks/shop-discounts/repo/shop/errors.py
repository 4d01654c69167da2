class ShopError(Exception):
    """Base of the shop's own errors."""


class UnknownProductError(ShopError):
    """No product with that SKU in the catalog."""
