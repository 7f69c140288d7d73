"""Live sources: fetch the registers from their public web APIs into normalised layers.

* :mod:`.ogcapi` - a small, dependable OGC API - Features client (paging through ``next`` links,
  ``bbox`` / ``bbox-crs`` / ``crs``, retries with backoff, an on-disk cache, a progress bar);
* :mod:`.sources` - presets for PDOK's BGT, BAG and Kadastrale Kaart OGC APIs and the 3D BAG API,
  with the mapping of each collection's properties onto :mod:`omgevingskaart.schema`;
* :mod:`.ruimtelijkeplannen` - the Ruimtelijke Plannen Opvragen API v4 (bestemmingsplannen; needs
  the user's own key in ``RUIMTELIJKEPLANNEN_API_KEY``).

``omgevingskaart fetch`` (:mod:`omgevingskaart.cli.fetch`) puts them together.
"""

from __future__ import annotations

from .ogcapi import RD_URI, OGCAPIFeaturesClient

__all__ = ["RD_URI", "OGCAPIFeaturesClient"]
