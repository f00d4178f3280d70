import SagaCLI
SagaCommand.main()
