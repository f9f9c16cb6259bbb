# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""UPS Address Validation v2 (street level; US and Puerto Rico)."""

from logistics_carriers import Address, AddressValidationResult, CarrierNotSupported

from .services import ADDRESS_VALIDATION_COUNTRIES
from .values import as_list, clip, dig


class UpsAddressMixin:
    """Address validation (part of :class:`UpsAdapter`)."""

    def validate_address(self, address):
        """Street-level validation (US and Puerto Rico only).

        Raises :class:`CarrierNotSupported` where UPS does not validate (or
        the account is not enabled for it) and :class:`CarrierTransientError`
        when the service is down: the caller decides, nothing is blocked here.
        """
        country = (address.country_code or "").upper()
        if self.extra.get("street_validation") is False:
            raise CarrierNotSupported(
                "Street-level address validation is not enabled on this UPS account.",
                code="not_enabled",
            )
        if country not in ADDRESS_VALIDATION_COUNTRIES:
            raise CarrierNotSupported(
                "UPS validates street addresses in the United States and Puerto "
                "Rico only.",
                code="not_supported",
            )
        response = self._call(
            "POST",
            f"/addressvalidation/{self.address_validation_version}/3",
            operation="validate_address",
            params={"maximumcandidatelistsize": self.address_candidates},
            json=self.build_address_request(address),
        )
        return self.parse_address_response(
            self._check(response, "validate_address"), address
        )

    @staticmethod
    def build_address_request(address):
        primary, _sep, extended = clip(address.zip, 10).partition("-")
        key_format = {
            "ConsigneeName": clip(address.company_name or address.name, 40),
            "AddressLine": [
                clip(line, 35) for line in (address.street, address.street2) if line
            ],
            "PoliticalDivision2": clip(address.city, 30),
            "PoliticalDivision1": clip(address.state_code, 5).upper(),
            "PostcodePrimaryLow": primary.strip(),
            "CountryCode": clip(address.country_code, 2).upper(),
        }
        # AddressValidation.yaml: the strings have minLength 1: empty ones
        # are left out (UPS then proposes candidates)
        key_format = {k: v for k, v in key_format.items() if v or k == "CountryCode"}
        if extended.strip():
            key_format["PostcodeExtendedLow"] = extended.strip()
        return {"XAVRequest": {"AddressKeyFormat": key_format}}

    @classmethod
    def parse_address_response(cls, data, original):
        root = dig(data, "XAVResponse") or {}
        cls._require_success(root, "address validation")
        candidates, messages = [], []
        for candidate in as_list(root.get("Candidate")):
            key_format = dig(candidate, "AddressKeyFormat") or {}
            lines = [str(line) for line in as_list(key_format.get("AddressLine"))]
            postcode = str(key_format.get("PostcodePrimaryLow") or "")
            if key_format.get("PostcodeExtendedLow"):
                postcode += f"-{key_format['PostcodeExtendedLow']}"
            candidates.append(
                Address(
                    name=original.name,
                    company_name=original.company_name,
                    street=lines[0] if lines else "",
                    street2=" ".join(lines[1:]),
                    city=str(key_format.get("PoliticalDivision2") or ""),
                    state_code=str(key_format.get("PoliticalDivision1") or ""),
                    zip=postcode,
                    country_code=str(key_format.get("CountryCode") or ""),
                    phone=original.phone,
                    email=original.email,
                )
            )
        valid = "ValidAddressIndicator" in root
        if valid:
            messages.append("UPS confirms the address.")
        elif "AmbiguousAddressIndicator" in root:
            messages.append(
                f"UPS finds the address ambiguous: {len(candidates)} candidate(s)."
            )
        else:
            messages.append("UPS finds no address matching this one.")
        classification = str(dig(root, "AddressClassification", "Code") or "")
        if classification in ("1", "2"):
            kind = "commercial" if classification == "1" else "residential"
            messages.append(f"UPS classifies the address as {kind}.")
        return AddressValidationResult(
            valid=valid, candidates=candidates, messages=messages
        )
