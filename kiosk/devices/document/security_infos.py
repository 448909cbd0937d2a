"""What a chip says about its own authentication: DG14's SecurityInfos and DG15's public key (ICAO 9303-11).

DG14 (tag 6E) holds `SecurityInfos ::= SET OF SecurityInfo`, each `SEQUENCE { protocol OID, requiredData ANY,
optionalData ANY OPTIONAL }` (9303-11 §9.2). The kiosk uses three kinds:

- ChipAuthenticationInfo (§9.2.5): protocol id-CA-DH-* / id-CA-ECDH-*, version INTEGER, keyId INTEGER OPTIONAL;
- ChipAuthenticationPublicKeyInfo (§9.2.6): protocol id-PK-DH / id-PK-ECDH, SubjectPublicKeyInfo, keyId OPTIONAL;
- ActiveAuthenticationInfo (§9.2.7): protocol id-AA, version INTEGER, signatureAlgorithm OID (ECDSA chips).

DG15 (tag 6F) is the Active Authentication public key as a SubjectPublicKeyInfo (§6.1). Chips publish EC keys
with explicit domain parameters; those are matched to the named curve they describe (p, a, b) so that
`cryptography` can use them. Everything here is untrusted card data: problems raise MalformedCardData.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import core, keys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kiosk.devices.document import tlv
from kiosk.errors import MalformedCardData

ID_PK = "0.4.0.127.0.7.2.2.1"
ID_PK_DH = ID_PK + ".1"
ID_PK_ECDH = ID_PK + ".2"
ID_CA = "0.4.0.127.0.7.2.2.3"
ID_CA_DH = ID_CA + ".1"
ID_CA_ECDH = ID_CA + ".2"
CA_CIPHERS = {"1": "3DES", "2": "AES-128", "3": "AES-192", "4": "AES-256"}  # last arc of id-CA-(EC)DH-*
ID_AA = "2.23.136.1.1.5"
# BSI TR-03111 ecdsa-plain-signatures: the hash an ECDSA chip signs its challenge with.
ECDSA_PLAIN_HASHES = {f"0.4.0.127.0.7.1.1.4.1.{i}": h
                      for i, h in ((1, "sha1"), (2, "sha224"), (3, "sha256"), (4, "sha384"), (5, "sha512"))}
DG14_TAG = 0x6E
DG15_TAG = 0x6F

# Named curves by (p, a, b), for keys published with explicit domain parameters (checked by a test that points
# `cryptography` generates on each curve satisfy y^2 = x^3 + ax + b mod p).
_P256 = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_P384 = 2 ** 384 - 2 ** 128 - 2 ** 96 + 2 ** 32 - 1
KNOWN_CURVES: dict[tuple[int, int, int], ec.EllipticCurve] = {
    (_P256, _P256 - 3, 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B): ec.SECP256R1(),
    (_P384, _P384 - 3, int("B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875A"
                           "C656398D8A2ED19D2A85C8EDD3EC2AEF", 16)): ec.SECP384R1(),
    (int("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377", 16),
     int("7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9", 16),
     int("26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6", 16)): ec.BrainpoolP256R1(),
    (int("8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123"
         "ACD3A729901D1A71874700133107EC53", 16),
     int("7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F"
         "8AA5814A503AD4EB04A8C7DD22CE2826", 16),
     int("04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D5"
         "7CB4390295DBC9943AB78696FA504C11", 16)): ec.BrainpoolP384R1(),
}


class SecurityInfo(core.Sequence):
    _fields = [("protocol", core.ObjectIdentifier), ("required_data", core.Any),
               ("optional_data", core.Any, {"optional": True})]


class SecurityInfos(core.SetOf):
    _child_spec = SecurityInfo


ActiveAuthKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey


@dataclass(frozen=True)
class ChipAuthenticationInfo:
    protocol: str  # id-CA-ECDH-3DES-CBC-CBC, ...
    version: int
    key_id: int | None

    @property
    def agreement(self) -> str:
        """"ECDH" or "DH"."""
        return "ECDH" if self.protocol.startswith(ID_CA_ECDH + ".") else "DH"

    @property
    def cipher(self) -> str:
        """Secure messaging after CA: "3DES", "AES-128", ..."""
        return CA_CIPHERS.get(self.protocol.rsplit(".", 1)[1], "unknown")


@dataclass(frozen=True)
class ChipAuthenticationPublicKey:
    protocol: str  # id-PK-ECDH or id-PK-DH
    public_key: ec.EllipticCurvePublicKey
    key_id: int | None


@dataclass(frozen=True)
class ChipSecurity:
    """What DG14 offers: CA protocols and keys, and the hash an ECDSA chip uses for Active Authentication."""

    chip_authentication: tuple[ChipAuthenticationInfo, ...] = ()
    chip_public_keys: tuple[ChipAuthenticationPublicKey, ...] = ()
    active_authentication_hash: str | None = None
    dh_public_keys: int = 0


def _integer(value: core.Any | None) -> int | None:
    if value is None or isinstance(value, core.Void):
        return None
    return int(value.parse(core.Integer).native)


def parse_dg14(dg14: bytes) -> ChipSecurity:
    """The CA and AA information in DG14; unknown SecurityInfos (PACE, TA, ...) are skipped."""
    outer = tlv.read_tlv(dg14)
    if outer.tag != DG14_TAG:
        raise MalformedCardData("DG14: outer tag is not 6E")
    try:
        infos = SecurityInfos.load(outer.value, strict=True)
        cas, pks, aa_hash, dh_keys = [], [], None, 0
        for info in infos:
            oid = info["protocol"].dotted
            if oid.startswith((ID_CA_ECDH + ".", ID_CA_DH + ".")):
                cas.append(ChipAuthenticationInfo(oid, _integer(info["required_data"]) or 0,
                                                  _integer(info["optional_data"])))
            elif oid == ID_PK_DH:
                dh_keys += 1  # DH chip authentication is not implemented: counted, so the result can say why
            elif oid == ID_PK_ECDH:
                spki = info["required_data"].parse(keys.PublicKeyInfo)
                key = public_key_from_spki(spki)
                if not isinstance(key, ec.EllipticCurvePublicKey):
                    raise MalformedCardData("DG14: id-PK-ECDH with a key that is not EC")
                pks.append(ChipAuthenticationPublicKey(oid, key,
                                                       _integer(info["optional_data"])))
            elif oid == ID_AA:
                optional = info["optional_data"]
                if optional is not None and not isinstance(optional, core.Void):
                    algorithm = optional.parse(core.ObjectIdentifier).dotted
                    if algorithm not in ECDSA_PLAIN_HASHES:
                        raise MalformedCardData(f"DG14: unknown Active Authentication algorithm {algorithm}")
                    aa_hash = ECDSA_PLAIN_HASHES[algorithm]
    except MalformedCardData:
        raise
    except Exception as exc:  # asn1crypto reports malformed untrusted DER with many exception types
        raise MalformedCardData(f"DG14: malformed SecurityInfos ({exc})") from exc
    return ChipSecurity(tuple(cas), tuple(pks), aa_hash, dh_keys)


def parse_dg15(dg15: bytes) -> ActiveAuthKey:
    """The Active Authentication public key (RSA or EC) in DG15."""
    outer = tlv.read_tlv(dg15)
    if outer.tag != DG15_TAG:
        raise MalformedCardData("DG15: outer tag is not 6F")
    try:
        key = public_key_from_spki(keys.PublicKeyInfo.load(outer.value, strict=True))
    except MalformedCardData:
        raise
    except Exception as exc:
        raise MalformedCardData(f"DG15: malformed public key ({exc})") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise MalformedCardData("DG15: Active Authentication key is neither RSA nor EC")
    return key


def public_key_from_spki(spki: keys.PublicKeyInfo):
    """A `cryptography` public key; EC keys with explicit parameters are mapped to their named curve."""
    algorithm = spki["algorithm"]["algorithm"].native
    if algorithm == "ec":
        params = spki["algorithm"]["parameters"]
        if params.name == "named":
            return serialization.load_der_public_key(spki.dump())
        if params.name != "specified":
            raise MalformedCardData("EC public key with implicit domain parameters")
        domain = params.chosen
        curve_key = (int(domain["field_id"]["parameters"].native),
                     int.from_bytes(domain["curve"]["a"].native, "big"),
                     int.from_bytes(domain["curve"]["b"].native, "big"))
        curve = KNOWN_CURVES.get(curve_key)
        if curve is None:
            raise MalformedCardData("EC public key on a curve the kiosk does not know")
        return ec.EllipticCurvePublicKey.from_encoded_point(curve, spki["public_key"].native)
    if algorithm == "rsa":
        return serialization.load_der_public_key(spki.dump())
    raise MalformedCardData(f"unsupported public key algorithm {algorithm}")
