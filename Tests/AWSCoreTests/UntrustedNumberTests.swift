import AWSCore
import Testing
import TestSupport

/// Numbers from outside (responses, the environment, the clock's arithmetic) converted to whole
/// units without trapping: a value out of range is refused with a sentence, or clamped for a
/// stated reason (issue 11 item 4).
@Suite struct UntrustedNumberTests {
    @Test(arguments: [1e300, -1e300, Double.infinity, -Double.infinity, Double.nan, 253_402_300_800, -62_135_596_801])
    func civilTimeRefusesTimesOutsideFourDigitYears(_ seconds: Double) {
        #expect(CivilTime(secondsSince1970: seconds) == nil)
    }

    @Test func civilTimeKeepsTheFourDigitYearsEnds() {
        #expect(CivilTime(secondsSince1970: 253_402_300_799.9)?.format(compact: false) == "9999-12-31T23:59:59Z")
        #expect(CivilTime(secondsSince1970: -62_135_596_800)?.format(compact: false) == "0001-01-01T00:00:00Z")
        #expect(CivilTime(secondsSince1970: -0.5)?.format(compact: false) == "1969-12-31T23:59:59Z")
    }

    @Test func signingDateClampsAClockOutsideFourDigitYears() {
        #expect(AmzDate(secondsSince1970: .infinity).timestamp == "99991231T235959Z")
        #expect(AmzDate(secondsSince1970: -.infinity).timestamp == "00010101T000000Z")
        #expect(AmzDate(secondsSince1970: .nan).timestamp == "19700101T000000Z")
    }

    static let milliseconds: [(Double, Int)] = [
        (.infinity, Int(Int32.max)), (1e300, Int(Int32.max)), (.nan, Int(Int32.max)), (-5, 1), (0, 1), (0.0004, 1), (2.5, 2500),
    ]

    @Test(arguments: milliseconds)
    func millisecondsForCAreClamped(_ seconds: Double, _ expected: Int) {
        #expect(TimeUnits.milliseconds(seconds) == expected)
    }

    static let nanoseconds: [(Double, UInt64)] = [
        (.infinity, TimeUnits.longestSleep), (1e300, TimeUnits.longestSleep), (.nan, 0), (-0.001, 0), (0.25, 250_000_000),
    ]

    @Test(arguments: nanoseconds)
    func nanosecondsForSleepAreClamped(_ seconds: Double, _ expected: UInt64) {
        #expect(TimeUnits.nanoseconds(seconds) == expected)
    }

    func imdsChain(timeout: String) throws -> DefaultCredentialChain {
        let fs = InMemoryFileSystem([:])
        let environment = Environment(["HOME": "/h", "AWS_METADATA_SERVICE_TIMEOUT": timeout])
        let settings = try ConfigLoader.load(environment: environment, fileSystem: fs, profile: nil)
        let client = AWSClient(
            settings: settings, transport: ScriptedTransport([]), clock: ManualClock(now: 1_700_000_000),
            credentials: nil, options: AWSClient.Options(userAgent: "t"))
        return DefaultCredentialChain(client: client, fileSystem: fs, processRunner: NoShellProcessRunner(), mfaPrompt: nil)
    }

    @Test(arguments: ["inf", "nan", "-1", "0", "1e300", "soon", "3601"])
    func metadataServiceTimeoutOutOfRangeIsASentence(_ value: String) async throws {
        let error = await #expect(throws: CredentialsError.self) { try await imdsChain(timeout: value).credentials() }
        #expect(error?.message == "AWS_METADATA_SERVICE_TIMEOUT is '\(value)': set it to a number of seconds above 0 and at most 3600 (the default is 1).")
    }

    @Test func metadataServiceTimeoutInRangeIsUsed() async throws {
        // The scripted transport answers nothing, as a machine off EC2: no credentials, no complaint about the timeout.
        let error = await #expect(throws: CredentialsError.self) { try await imdsChain(timeout: "2.5").credentials() }
        #expect(error?.message.contains("AWS_METADATA_SERVICE_TIMEOUT") == false)
    }
}
