"""Cart and catalog of a small web shop; money in integer cents."""
