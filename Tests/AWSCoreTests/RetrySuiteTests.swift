import AWSCore
import Testing
import TestSupport

/// The standard-mode retry cases (6 classic, 8 for 2026), jitter pinned to 1, stepped on one client.
@Suite struct RetrySuiteTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let suite: String, index: Int, name: String
        var testDescription: String { "\(suite): \(name)" }
    }

    static let cases: [Case] = {
        guard let json = try? JSONValue(parsing: Fixtures.bytes("retry/standard-retry-cases.json")) else { return [] }
        return json["suites"]!.object!.sorted { $0.key < $1.key }.flatMap { suite, body in
            body["cases"]!.array!.enumerated().map { Case(suite: suite, index: $0.offset, name: $0.element["name"]!.string!) }
        }
    }()

    @Test(arguments: cases)
    func retryCase(_ c: Case) throws {
        let json = try JSONValue(parsing: Fixtures.bytes("retry/standard-retry-cases.json"))
        let test = json["suites"]![c.suite]!["cases"]![c.index]!
        let given = test["given"]!
        let mode: RetryMode = c.suite == "standard-2026" ? .standard2026 : .classic
        var quota = RetryQuota(capacity: 500, available: given["initial_retry_tokens"]!.int!)
        let newCall = { RetryState(mode: mode, maxAttempts: given["max_attempts"]!.int!, maxBackoff: given["max_backoff_time"]!.double!) }
        var state = newCall()
        for (step, item) in test["responses"]!.array!.enumerated() {
            let response = item["response"]!
            let expected = item["expected"]!
            let status = response["status_code"]!.int!
            let outcome: String
            var delay: Double?
            if (200..<300).contains(status) {
                state.succeeded(quota: &quota)
                outcome = "success"
                state = newCall()
            } else {
                switch state.failed(RetryClassifier.classify(status: status, code: response["error_code"]?.string), quota: &quota, jitter: 1) {
                case .retry(let after): outcome = "retry_request"; delay = after
                case .maxAttemptsExceeded: outcome = "max_attempts_exceeded"; state = newCall()
                case .quotaExceeded: outcome = "retry_quota_exceeded"; state = newCall()
                case .notRetryable: outcome = "not_retryable"; state = newCall()
                }
            }
            #expect(outcome == expected["outcome"]!.string!, "step \(step)")
            #expect(quota.available == expected["retry_quota"]!.int!, "step \(step)")
            if let expectedDelay = expected["delay"]?.double {
                #expect(abs((delay ?? -1) - expectedDelay) < 1e-9, "step \(step)")
            }
        }
    }

    @Test func caseCount() { #expect(Self.cases.count == 14) }

    @Test func notRetryable() {
        var quota = RetryQuota()
        var state = RetryState()
        #expect(state.failed(RetryClassifier.classify(status: 400, code: "InvalidInstanceId"), quota: &quota, jitter: 1) == .notRetryable)
        #expect(RetryClassifier.classify(status: 400, code: "ThrottlingException") == .throttling)
        #expect(RetryClassifier.classify(status: 429, code: nil) == .throttling)
        #expect(RetryClassifier.classify(status: 403, code: "AccessDeniedException") == nil)
    }

    @Test func retryAfterHintIn2026Mode() {
        var quota = RetryQuota()
        var state = RetryState(mode: .standard2026)
        // Computed 0.05 s; a 2 s hint is kept within [0.05, 5.05].
        #expect(state.failed(.transient, quota: &quota, jitter: 1, retryAfter: 2) == .retry(after: 2))
        var state2 = RetryState(mode: .standard2026)
        #expect(state2.failed(.transient, quota: &quota, jitter: 1, retryAfter: 60) == .retry(after: 5.05))
    }
}
