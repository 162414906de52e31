"""GCJ-02 ↔ WGS-84 conversion.

Linli stores and serves WGS-84. Phone maps in China (高德/腾讯/微信) report
GCJ-02, an obfuscated datum a few hundred metres off WGS-84; the API converts
at its boundary when the client says `coord_system=gcj02` (docs/coordinates.md).

The forward transform is the well-known public formula (Krasovsky ellipsoid
constants). It has no closed-form inverse, so `gcj02_to_wgs84` solves
`wgs84_to_gcj02(w) = g` by fixed-point iteration: the offset changes by well
under a millimetre per metre, so every step gains several digits.
"""

import math

# Krasovsky 1940 ellipsoid, as used by the public GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323

# Inverse precision (degrees, ~1 cm) and a hard cap on iterations.
INVERSE_TOLERANCE = 1e-9
_MAX_ITERATIONS = 30


def out_of_china(lat, lng):
    """True outside the rectangle where GCJ-02 applies an offset (no offset there)."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x, y):
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x, y):
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _offset(lat, lng):
    """(dlat, dlng) that GCJ-02 adds to a WGS-84 point inside China."""
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = math.sin(radlat)
    magic = 1 - _EE * magic * magic
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlat, dlng


def wgs84_to_gcj02(lat, lng):
    """(lat, lng) in GCJ-02 for a WGS-84 point; unchanged outside China."""
    if out_of_china(lat, lng):
        return lat, lng
    dlat, dlng = _offset(lat, lng)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat, lng):
    """(lat, lng) in WGS-84 for a GCJ-02 point, accurate to ~1e-9 degree; unchanged outside China."""
    if out_of_china(lat, lng):
        return lat, lng
    wlat, wlng = lat, lng
    for _ in range(_MAX_ITERATIONS):
        glat, glng = wgs84_to_gcj02(wlat, wlng)
        err_lat, err_lng = glat - lat, glng - lng
        if abs(err_lat) < INVERSE_TOLERANCE and abs(err_lng) < INVERSE_TOLERANCE:
            break
        wlat -= err_lat
        wlng -= err_lng
    return wlat, wlng
