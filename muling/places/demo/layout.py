"""Where the demo areas lie on a map: tidy rectangles tiled around real Jining coordinates.

A district is a stack of streets (rows); a street is a row of equally sized community blocks; a
community block is cut into its grids, two per row, the last grid of an odd count spanning its row.
So neighbouring grids share edges exactly and "which grid is this point in" has one answer.
"""

import math

from shapely.geometry import box, mapping, shape
from shapely.ops import unary_union

# One community block, in degrees: about 1.1 km east-west and 1.1 km north-south at 35.5°N.
COMMUNITY_WIDTH = 0.012
COMMUNITY_HEIGHT = 0.010
DIGITS = 6  # ~0.1 m: enough, and keeps shared edges exactly equal on both sides

Rect = tuple[float, float, float, float]  # (west, south, east, north)


def polygon(rect: Rect) -> dict:
    """GeoJSON Polygon of a rectangle, counter-clockwise from the south-west corner."""
    west, south, east, north = rect
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def union_polygon(rects: list[Rect]) -> dict:
    """GeoJSON of the union of rectangles, as plain lists like every other polygon we store."""
    geom = unary_union([box(*r) for r in rects])
    return _as_lists(mapping(geom))


def centroid(geojson: dict) -> tuple[float, float]:
    """(lat, lon) of a polygon's centroid, rounded like the polygon itself."""
    c = shape(geojson).centroid
    return (round(c.y, DIGITS), round(c.x, DIGITS))


def _as_lists(value):
    if isinstance(value, tuple | list):
        return [_as_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_lists(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, DIGITS)
    return value


def street_rects(center: tuple[float, float], communities_per_street: list[int]) -> list[list[Rect]]:
    """Community blocks of each street of a district centred on `center` (lon, lat)."""
    lon, lat = center
    width = max(communities_per_street) * COMMUNITY_WIDTH
    height = len(communities_per_street) * COMMUNITY_HEIGHT
    west, north = lon - width / 2, lat + height / 2
    streets = []
    for row, count in enumerate(communities_per_street):
        top = north - row * COMMUNITY_HEIGHT
        streets.append(
            [
                _rounded(
                    (
                        west + col * COMMUNITY_WIDTH,
                        top - COMMUNITY_HEIGHT,
                        west + (col + 1) * COMMUNITY_WIDTH,
                        top,
                    )
                )
                for col in range(count)
            ]
        )
    return streets


def grid_rects(block: Rect, count: int) -> list[Rect]:
    """Cut a community block into `count` grids, row by row from the north-west."""
    west, south, east, north = block
    cols = max(2, math.ceil(math.sqrt(count))) if count > 1 else 1
    rows = math.ceil(count / cols)
    row_edges = [north - (north - south) * r / rows for r in range(rows + 1)]
    rects = []
    for r in range(rows):
        in_row = cols if r < rows - 1 else count - cols * (rows - 1)
        col_edges = [west + (east - west) * c / in_row for c in range(in_row + 1)]
        for c in range(in_row):
            rects.append(_rounded((col_edges[c], row_edges[r + 1], col_edges[c + 1], row_edges[r])))
    return rects


def building_points(rect: Rect, count: int) -> list[tuple[float, float]]:
    """(lat, lon) of `count` buildings spread evenly inside a grid."""
    west, south, east, north = rect
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    points = []
    for i in range(count):
        r, c = divmod(i, cols)
        lon = west + (east - west) * (c + 0.5) / cols
        lat = north - (north - south) * (r + 0.5) / rows
        points.append((round(lat, DIGITS), round(lon, DIGITS)))
    return points


def _rounded(rect: Rect) -> Rect:
    return tuple(round(v, DIGITS) for v in rect)  # type: ignore[return-value]
