"""Grid polygons: validation, centroids and "which grid is this point in" (shapely)."""

from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.validation import explain_validity


def polygon_problem(geojson: dict) -> str | None:
    try:
        geom = shape(geojson)
    except Exception:  # shapely raises several types for malformed GeoJSON
        return _("边界不是有效的 GeoJSON 多边形")
    if geom.geom_type not in {"Polygon", "MultiPolygon"}:
        return _("边界须为多边形")
    if not geom.is_valid:
        return _("边界多边形无效：%(why)s") % {"why": explain_validity(geom)}
    return None


def centroid_of(geojson: dict) -> tuple[float, float]:
    c = shape(geojson).centroid
    return (c.y, c.x)


def area_containing_point(areas, *, lat: float, lon: float):
    """The first area whose polygon contains the point, or None. `areas` carry GeoJSON polygons."""
    point = Point(lon, lat)
    for area in areas:
        if area.polygon and shape(area.polygon).covers(point):
            return area
    return None
