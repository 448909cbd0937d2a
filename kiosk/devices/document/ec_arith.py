"""Affine point arithmetic on short Weierstrass curves y² = x³ + ax + b over GF(p), for PACE generic mapping.

PACE's generic mapping (ICAO 9303-11 §4.4.3.3.1) computes G' = s·G + H and then Diffie-Hellman over G'. The
`cryptography` package does ECDH only over a curve's standard generator and exposes no point addition, so the
mapping needs its own arithmetic. The domain parameters are the standard ones: brainpoolP256r1/P384r1/P512r1
from RFC 5639 §3.4/3.6/3.7, NIST P-256/P-384/P-521 from SEC 2 / FIPS 186-4 D.1.2; a test checks each against
`cryptography` (generator, k·G for random k, ECDH) and checks (n-1)·G = -G, i.e. that G has order n.

Every point that arrives from a chip is decoded with `decode_point`, which refuses anything not on the curve and
the point at infinity (an invalid-curve point would leak the terminal's secret and break the mapping). Not
constant-time: the kiosk's ephemeral scalars live for one session and the card reader is not a timing oracle an
attacker on the chip can measure finely; the fixed-base steps and the final ECDH go through `cryptography` anyway.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.errors import MalformedCardData

Point = tuple[int, int] | None  # None is the point at infinity O
# Curves OpenSSL knows by name: fixed-base multiplication and the final ECDH run there (fast, constant-time).
_NATIVE_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "brainpoolP256r1": ec.BrainpoolP256R1, "brainpoolP384r1": ec.BrainpoolP384R1,
    "brainpoolP512r1": ec.BrainpoolP512R1, "secp256r1": ec.SECP256R1, "secp384r1": ec.SECP384R1,
    "secp521r1": ec.SECP521R1}


@dataclass(frozen=True)
class Curve:
    """A prime-field curve with its generator G of prime order n (cofactor 1 for the curves here)."""

    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int

    @property
    def size(self) -> int:
        """Bytes of a field element (FE2OS length, ICAO 9303-11 §9.4 / BSI TR-03111)."""
        return (self.p.bit_length() + 7) // 8

    @property
    def generator(self) -> tuple[int, int]:
        return (self.gx, self.gy)

    def contains(self, point: Point) -> bool:
        if point is None:
            return False
        x, y = point
        return 0 <= x < self.p and 0 <= y < self.p and (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0

    def add(self, p1: Point, p2: Point) -> Point:
        if p1 is None:
            return p2
        if p2 is None:
            return p1
        x1, y1 = p1
        x2, y2 = p2
        p = self.p
        if x1 == x2:
            if (y1 + y2) % p == 0:
                return None
            slope = (3 * x1 * x1 + self.a) * pow(2 * y1, -1, p) % p
        else:
            slope = (y2 - y1) * pow(x2 - x1, -1, p) % p
        x3 = (slope * slope - x1 - x2) % p
        return (x3, (slope * (x1 - x3) - y1) % p)

    def multiply(self, k: int, point: Point) -> Point:
        """k·point (k reduced mod n): left-to-right double-and-add in Jacobian coordinates, one inversion."""
        k %= self.n
        if point is None or k == 0:
            return None
        p, a = self.p, self.a
        px, py = point
        x, y, z = px, py, 1
        for bit in bin(k)[3:]:
            # Doubling (X/Z², Y/Z³): S = 4XY², M = 3X² + aZ⁴, X' = M² - 2S, Y' = M(S - X') - 8Y⁴, Z' = 2YZ.
            if z == 0 or y == 0:
                x, y, z = 1, 1, 0
            else:
                yy = y * y % p
                s4 = 4 * x * yy % p
                zz = z * z % p
                m = (3 * x * x + a * zz * zz) % p
                nx = (m * m - 2 * s4) % p
                y, z = (m * (s4 - nx) - 8 * yy * yy) % p, 2 * y * z % p
                x = nx
            if bit == "1":
                x, y, z = self._add_affine(x, y, z, px, py)
        if z == 0:
            return None
        zinv = pow(z, -1, p)
        zinv2 = zinv * zinv % p
        return (x * zinv2 % p, y * zinv2 * zinv % p)

    def _add_affine(self, x: int, y: int, z: int, qx: int, qy: int) -> tuple[int, int, int]:
        """Jacobian (x, y, z) + affine (qx, qy)."""
        p = self.p
        if z == 0:
            return qx, qy, 1
        zz = z * z % p
        h = (qx * zz - x) % p
        r = (qy * zz * z - y) % p
        if h == 0:
            if r != 0:
                return 1, 1, 0  # P + (-P) = O
            doubled = self.add((qx, qy), (qx, qy))
            return (doubled[0], doubled[1], 1) if doubled is not None else (1, 1, 0)
        hh = h * h % p
        hhh = h * hh % p
        v = x * hh % p
        nx = (r * r - hhh - 2 * v) % p
        return nx, (r * (v - nx) - y * hhh) % p, z * h % p

    def _native(self) -> ec.EllipticCurve | None:
        factory = _NATIVE_CURVES.get(self.name)
        return factory() if factory is not None else None

    def multiply_generator(self, k: int) -> tuple[int, int]:
        """k·G for 1 <= k < n, by `cryptography` (OpenSSL) where it knows the curve: the fixed-base steps."""
        native = self._native()
        if native is None or not 0 < k < self.n:
            point = self.multiply(k, self.generator)
            if point is None:  # k ≡ 0 (mod n): e.g. a chip's nonce chosen to collapse the mapping
                raise MalformedCardData(f"{self.name}: k·G is the point at infinity")
            return point
        numbers = ec.derive_private_key(k, native).public_key().public_numbers()
        return (numbers.x, numbers.y)

    def ecdh_x(self, k: int, point: tuple[int, int]) -> bytes:
        """The x-coordinate of k·point as FE2OS bytes: the shared secret of ECDH over any generator on the curve
        (the curve, not the generator, fixes the group law), by `cryptography` where it knows the curve."""
        native = self._native()
        if native is None or not 0 < k < self.n:
            shared = self.multiply(k, point)
            if shared is None:
                raise MalformedCardData(f"{self.name}: the shared secret is the point at infinity")
            return shared[0].to_bytes(self.size, "big")
        peer = ec.EllipticCurvePublicNumbers(point[0], point[1], native).public_key()
        return ec.derive_private_key(k, native).exchange(ec.ECDH(), peer)

    def random_scalar(self) -> int:
        """A private key in [1, n-1]."""
        return secrets.randbelow(self.n - 1) + 1

    def encode_point(self, point: Point) -> bytes:
        """Uncompressed encoding 04 || X || Y (BSI TR-03111 §3.2.1)."""
        if point is None:
            raise ValueError("the point at infinity has no uncompressed encoding")
        return b"\x04" + point[0].to_bytes(self.size, "big") + point[1].to_bytes(self.size, "big")

    def decode_point(self, data: bytes) -> tuple[int, int]:
        """An uncompressed point from a chip; MalformedCardData unless it is a finite point on this curve."""
        if len(data) != 1 + 2 * self.size or data[0] != 0x04:
            raise MalformedCardData(f"{self.name}: not an uncompressed point of {1 + 2 * self.size} bytes")
        point = (int.from_bytes(data[1:1 + self.size], "big"), int.from_bytes(data[1 + self.size:], "big"))
        if not self.contains(point):
            raise MalformedCardData(f"{self.name}: the chip's point is not on the curve")
        return point


BRAINPOOL_P256R1 = Curve(
    "brainpoolP256r1",
    p=0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
    a=0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
    b=0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
    gx=0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
    gy=0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
    n=0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
)

NIST_P256 = Curve(
    "secp256r1",
    p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    a=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)

NIST_P384 = Curve(  # SEC 2 §2.5.1 / FIPS 186-4 D.1.2.4
    "secp384r1",
    p=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF,
    a=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFC,
    b=0xB3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF,
    gx=0xAA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7,
    gy=0x3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F,
    n=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
)

BRAINPOOL_P384R1 = Curve(  # RFC 5639 §3.6
    "brainpoolP384r1",
    p=0x8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53,
    a=0x7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826,
    b=0x04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11,
    gx=0x1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E,
    gy=0x8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315,
    n=0x8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565,
)

BRAINPOOL_P512R1 = Curve(  # RFC 5639 §3.7
    "brainpoolP512r1",
    p=int("AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA7033087"
          "17D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3", 16),
    a=int("7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863B"
          "C2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA", 16),
    b=int("3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A"
          "72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723", 16),
    gx=int("81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098"
          "EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822", 16),
    gy=int("7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F811"
          "1B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892", 16),
    n=int("AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA7033087"
          "0553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069", 16),
)

NIST_P521 = Curve(  # SEC 2 §2.6.1 / FIPS 186-4 D.1.2.5
    "secp521r1",
    p=int("1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
          "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", 16),
    a=int("1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
          "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC", 16),
    b=int("051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF10"
          "9E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00", 16),
    gx=int("0C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D3"
          "DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5BD66", 16),
    gy=int("11839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E6"
          "62C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD16650", 16),
    n=int("1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
          "FFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409", 16),
)

# Standardized domain parameters by PACE parameterId (ICAO 9303-11 §9.5.1, table of standardized parameters).
# Not here: ids 8-11 and 14 (192/224/320-bit curves), which OpenSSL as `cryptography` ships it does not know.
STANDARDIZED_CURVES: dict[int, Curve] = {12: NIST_P256, 13: BRAINPOOL_P256R1, 15: NIST_P384, 16: BRAINPOOL_P384R1,
                                         17: BRAINPOOL_P512R1, 18: NIST_P521}
