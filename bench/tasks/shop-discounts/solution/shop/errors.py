class ShopError(Exception):
    """Base of the shop's own errors."""


class UnknownProductError(ShopError):
    """No product with that SKU in the catalog."""


class UnknownCodeError(ShopError):
    """No discount with that code in the catalog."""


class CodeNotApplicableError(ShopError):
    """The cart does not meet the discount's conditions."""
