import Datasets
import Foundation
import Testing

@Suite struct DigestTests {
    /// RFC 1321, appendix A.5.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func md5MatchesRFC1321(message: String, digest: String) {
        #expect(MD5.hexDigest(of: Array(message.utf8)) == digest)
    }

    /// FIPS 180-2 appendix B and the NIST example values.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func sha256MatchesNIST(message: String, digest: String) {
        #expect(SHA256.hexDigest(of: Array(message.utf8)) == digest)
    }

    @Test func sha256OfOneMillionAs() {
        #expect(SHA256.hexDigest(of: [UInt8](repeating: 0x61, count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Pieces of every awkward size, crossing block boundaries, give the one-shot digest.
    @Test func piecewiseUpdatesMatchOneShot() {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var md5 = MD5(), sha = SHA256()
        var start = 0, step = 1
        while start < message.count {
            let piece = Array(message[start..<min(message.count, start + step)])
            md5.update(piece)
            sha.update(piece)
            start += step
            step = step % 70 + 13
        }
        let pieceMD5 = md5.finalize(), pieceSHA = sha.finalize()
        var wholeMD5 = MD5(), wholeSHA = SHA256()
        wholeMD5.update(message)
        wholeSHA.update(message)
        #expect(pieceMD5 == wholeMD5.finalize())
        #expect(pieceSHA == wholeSHA.finalize())
    }

    @Test func crc32MatchesTheCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xcbf4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    /// Mirrors differ only in CRLF versus LF, so both must give one digest.
    @Test func lineEndingNormalisationGivesOneDigest() {
        let lf = "a,b\n1,2\n3,4\n", crlf = "a,b\r\n1,2\r\n3,4\r\n"
        let checksum = Checksum.sha256OfLFText(SHA256.hexDigest(of: Array(lf.utf8)))
        #expect(checksum.digest(of: Array(crlf.utf8)) == checksum.expected)
        #expect(checksum.digest(of: Array(lf.utf8)) == checksum.expected)
        #expect(Checksum.sha256("").digest(of: Array(crlf.utf8)) != checksum.expected)
        // A lone CR is data, not a line ending.
        #expect(Checksum.normalisingLineEndings(Array("x\ry\r\n".utf8)) == Array("x\ry\n".utf8))
    }

    @Test func fileDigestsMatchInMemoryDigests() throws {
        let dir = try TemporaryDirectory()
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        try Data(bytes).write(to: dir.path("blob"))
        #expect(try Checksum.md5("").digest(ofFileAt: dir.path("blob")) == MD5.hexDigest(of: bytes))
        #expect(try Checksum.sha256("").digest(ofFileAt: dir.path("blob")) == SHA256.hexDigest(of: bytes))
    }
}
