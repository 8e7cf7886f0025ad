"""vPIC's flat decode shape: the variables of a result row and the texts vPIC writes.

The variable names are those of DecodeVinValuesExtended and DecodeVINValuesBatch (vPIC
answers all of them for every VIN, ``""`` where it has no value), in vPIC's order.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["KEYS", "MESSAGE", "check_digit", "envelope", "unknown_row"]

KEYS: Final = (
    "ABS",
    "ActiveSafetySysNote",
    "AdaptiveCruiseControl",
    "AdaptiveDrivingBeam",
    "AdaptiveHeadlights",
    "AdditionalErrorText",
    "AirBagLocCurtain",
    "AirBagLocFront",
    "AirBagLocKnee",
    "AirBagLocSeatCushion",
    "AirBagLocSide",
    "AutoReverseSystem",
    "AutomaticPedestrianAlertingSound",
    "AxleConfiguration",
    "Axles",
    "BasePrice",
    "BatteryA",
    "BatteryA_to",
    "BatteryCells",
    "BatteryInfo",
    "BatteryKWh",
    "BatteryKWh_to",
    "BatteryModules",
    "BatteryPacks",
    "BatteryType",
    "BatteryV",
    "BatteryV_to",
    "BedLengthIN",
    "BedType",
    "BlindSpotIntervention",
    "BlindSpotMon",
    "BodyCabType",
    "BodyClass",
    "BrakeSystemDesc",
    "BrakeSystemType",
    "BusFloorConfigType",
    "BusLength",
    "BusType",
    "CAN_AACN",
    "CIB",
    "CashForClunkers",
    "ChargerLevel",
    "ChargerPowerKW",
    "CombinedBrakingSystem",
    "CoolingType",
    "CurbWeightLB",
    "CustomMotorcycleType",
    "DaytimeRunningLight",
    "DestinationMarket",
    "DisplacementCC",
    "DisplacementCI",
    "DisplacementL",
    "Doors",
    "DriveType",
    "DriverAssist",
    "DynamicBrakeSupport",
    "EDR",
    "ESC",
    "EVDriveUnit",
    "ElectrificationLevel",
    "EngineConfiguration",
    "EngineCycles",
    "EngineCylinders",
    "EngineHP",
    "EngineHP_to",
    "EngineKW",
    "EngineManufacturer",
    "EngineModel",
    "EntertainmentSystem",
    "ErrorCode",
    "ErrorText",
    "ForwardCollisionWarning",
    "FuelInjectionType",
    "FuelTankMaterial",
    "FuelTankType",
    "FuelTypePrimary",
    "FuelTypeSecondary",
    "GCWR",
    "GCWR_to",
    "GVWR",
    "GVWR_to",
    "KeylessIgnition",
    "LaneCenteringAssistance",
    "LaneDepartureWarning",
    "LaneKeepSystem",
    "LowerBeamHeadlampLightSource",
    "Make",
    "MakeID",
    "Manufacturer",
    "ManufacturerId",
    "Model",
    "ModelID",
    "ModelYear",
    "MotorcycleChassisType",
    "MotorcycleSuspensionType",
    "NCSABodyType",
    "NCSAMake",
    "NCSAMapExcApprovedBy",
    "NCSAMapExcApprovedOn",
    "NCSAMappingException",
    "NCSAModel",
    "NCSANote",
    "NonLandUse",
    "Note",
    "OtherBusInfo",
    "OtherEngineInfo",
    "OtherMotorcycleInfo",
    "OtherRestraintSystemInfo",
    "OtherTrailerInfo",
    "ParkAssist",
    "PedestrianAutomaticEmergencyBraking",
    "PlantCity",
    "PlantCompanyName",
    "PlantCountry",
    "PlantState",
    "PossibleValues",
    "Pretensioner",
    "RearAutomaticEmergencyBraking",
    "RearCrossTrafficAlert",
    "RearVisibilitySystem",
    "SAEAutomationLevel",
    "SAEAutomationLevel_to",
    "SeatBeltsAll",
    "SeatRows",
    "Seats",
    "SemiautomaticHeadlampBeamSwitching",
    "Series",
    "Series2",
    "SteeringLocation",
    "SuggestedVIN",
    "TPMS",
    "TopSpeedMPH",
    "TrackWidth",
    "TractionControl",
    "TrailerBodyType",
    "TrailerLength",
    "TrailerType",
    "TransmissionSpeeds",
    "TransmissionStyle",
    "Trim",
    "Trim2",
    "Turbo",
    "VIN",
    "ValveTrainDesign",
    "VehicleDescriptor",
    "VehicleType",
    "WheelBaseLong",
    "WheelBaseShort",
    "WheelBaseType",
    "WheelSizeFront",
    "WheelSizeRear",
    "WheelieMitigation",
    "Wheels",
    "Windows",
)
MESSAGE: Final = (
    "Results returned successfully. NOTE: Any missing decoded values should be interpreted as "
    "NHTSA does not have data on the specific variable. Missing value should NOT be interpreted "
    "as an indication that a feature or technology is unavailable for a vehicle."
)
_ERRORS: Final = {
    "1": "1 - Check Digit (9th position) does not calculate properly",
    "6": "6 - Incomplete VIN",
    "7": "7 - Manufacturer is not registered with NHTSA for sale or importation in the U.S. "
    "for use on U.S roads; Please contact the manufacturer directly for more information",
    "400": "400 - Invalid Characters Present",
}
_VALUES: Final = dict(
    zip(
        "ABCDEFGHJKLMNPRSTUVWXYZ",
        (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9),
        strict=True,
    )
)
_WEIGHTS: Final = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def check_digit(vin: str) -> str | None:
    """The check digit a 17-character VIN calls for; None when it has a foreign character."""
    try:
        total = sum(
            (int(c) if c.isdigit() else _VALUES[c]) * w for c, w in zip(vin, _WEIGHTS, strict=True)
        )
    except (KeyError, ValueError):
        return None
    return "X" if total % 11 == 10 else str(total % 11)


def envelope(rows: list[dict[str, str]], criteria: str) -> dict[str, Any]:
    """vPIC's response around result rows."""
    return {"Count": len(rows), "Message": MESSAGE, "SearchCriteria": criteria, "Results": rows}


def unknown_row(vin: str) -> dict[str, str]:
    """vPIC's row for a VIN it cannot decode: error codes and texts, the rest empty."""
    codes = []
    if len(vin) == 17 and check_digit(vin) != vin[8]:
        codes.append("1")
    if len(vin) < 17:
        codes.append("6")
    codes.append("7")
    if any(c not in _VALUES and not c.isdigit() and c != "*" for c in vin):
        codes.append("400")
    row = dict.fromkeys(KEYS, "")
    row.update(
        VIN=vin,
        VehicleDescriptor=f"{vin[:8]}*{vin[9:11]}" if len(vin) >= 11 else vin,
        ErrorCode=",".join(codes),
        ErrorText="; ".join(_ERRORS[c] for c in codes),
    )
    return row
