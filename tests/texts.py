"""Story texts that several test modules share (near-duplicate detection needs real prose)."""

KYIV_DRONES = (
    "Air defence forces shot down most of the drones launched at Kyiv overnight, the city "
    "military administration said on Tuesday. Debris fell on a residential building in the "
    "Solomianskyi district, damaging the roof and breaking windows on three floors."
)
KYIV_DRONES_LONG = (
    KYIV_DRONES + " Two residents were treated for cuts and shock, and rescuers evacuated "
    "twelve people."
)
CITY_BUDGET = (
    "The city council approved a budget for repairs of trams and buses on Friday. The deputy "
    "mayor said that the works would start in spring and last until the end of the year."
)
CITY_BUDGET_LONG = (
    CITY_BUDGET[:-1] + ", and that some routes would be closed for weeks while depots and "
    "tracks are rebuilt."
)
