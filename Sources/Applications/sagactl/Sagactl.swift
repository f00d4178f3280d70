import SagaCLI

/// The `sagactl` executable: runs ``SagactlCommand`` (asynchronously: some commands talk to Kafka).
@main
enum Sagactl {
    static func main() async {
        await SagactlCommand.main()
    }
}
