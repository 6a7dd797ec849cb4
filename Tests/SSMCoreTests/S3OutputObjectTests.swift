import SSMCore
import Testing

/// StandardOutputUrl read into bucket, key and region; `BUCKET[/PREFIX]` read into SendCommand's
/// OutputS3BucketName and OutputS3KeyPrefix.
@Suite struct S3OutputObjectTests {
    @Test func readsTheServicesPathStyleRegionalURL() throws {
        let url = "https://s3.eu-west-1.amazonaws.com/out-b/pre/cmd-1/i-1/awsrunShellScript/0.awsrunShellScript/stdout"
        let object = try #require(S3OutputObject(url: url))
        #expect(object == S3OutputObject(bucket: "out-b", key: "pre/cmd-1/i-1/awsrunShellScript/0.awsrunShellScript/stdout", region: "eu-west-1"))
    }

    @Test func decodesTheKeyAndKeepsDoubleSlashes() throws {
        let object = try #require(S3OutputObject(url: "https://s3.us-west-2.amazonaws.com/my.bucket/a%20b//c%2Bd/stdout"))
        #expect(object.bucket == "my.bucket")
        #expect(object.key == "a b//c+d/stdout")
    }

    @Test func readsGlobalLegacyAndVirtualHostedForms() throws {
        #expect(S3OutputObject(url: "https://s3.amazonaws.com/b-1/k")?.region == nil)
        #expect(S3OutputObject(url: "https://s3-ap-south-1.amazonaws.com/b-1/k") == S3OutputObject(bucket: "b-1", key: "k", region: "ap-south-1"))
        #expect(
            S3OutputObject(url: "https://b-1.s3.cn-north-1.amazonaws.com.cn/p/stdout") == S3OutputObject(bucket: "b-1", key: "p/stdout", region: "cn-north-1"))
    }

    /// The service's label is found from the right: a bucket may be named like it.
    @Test func aBucketNamedLikeTheServiceIsStillTheBucket() {
        #expect(
            S3OutputObject(url: "https://s3-logs.s3.us-east-1.amazonaws.com/pre/cmd/stdout")
                == S3OutputObject(bucket: "s3-logs", key: "pre/cmd/stdout", region: "us-east-1"))
        #expect(
            S3OutputObject(url: "https://my.s3.bucket.s3.eu-west-1.amazonaws.com/k") == S3OutputObject(bucket: "my.s3.bucket", key: "k", region: "eu-west-1"))
        #expect(S3OutputObject(url: "https://s3.us-east-1.amazonaws.com/s3-logs/k") == S3OutputObject(bucket: "s3-logs", key: "k", region: "us-east-1"))
        #expect(S3OutputObject(url: "https://s3-fips.dualstack.us-gov-west-1.amazonaws.com/b-1/k")?.region == "us-gov-west-1")
        #expect(S3OutputObject(url: "https://b-1.s3-external-1.amazonaws.com/k")?.region == nil)
    }

    @Test(arguments: ["", "not a url", "https://example.com/b/k", "https://s3.eu-west-1.amazonaws.com/", "https://s3.eu-west-1.amazonaws.com/bucket-only"])
    func refusesWhatIsNotAnS3Object(_ text: String) {
        #expect(S3OutputObject(url: text) == nil)
    }

    @Test func outputBucketSplitsAtTheFirstSlash() throws {
        #expect(try OutputBucket("out-b") == OutputBucket(bucket: "out-b", prefix: nil))
        #expect(try OutputBucket("out-b/") == OutputBucket(bucket: "out-b", prefix: nil))
        #expect(try OutputBucket("my.bucket/team/run x") == OutputBucket(bucket: "my.bucket", prefix: "team/run x"))
        #expect(try OutputBucket("b-1/p").description == "b-1/p")
    }

    @Test(arguments: ["", "ab", "/p", "Upper", "under_score", "-dash", "dots..", String(repeating: "a", count: 64)])
    func refusesBadBucketNames(_ text: String) {
        #expect(throws: OutputBucket.Invalid.self) { try OutputBucket(text) }
    }
}
