import SagaCLI

/// The `sagactl` executable: runs ``SagaCommand`` (asynchronously: some commands talk to Kafka).
@main
enum Sagactl {
    static func main() async {
        await SagaCommand.main()
    }
}
