import Collectives
import Foundation
import Testing

@Suite struct LauncherTests {
    @Test func aProcessStartedAloneIsAJobOfOne() throws {
        #expect(Launch.detect(["PATH": "/usr/bin", "SLURM_PROCID": "0"]) == nil)
        let alone = try Launcher.communicator(environment: [:])
        #expect(alone is SingleProcess)
        #expect((alone.rank, alone.size, alone.localRank, alone.localSize) == (0, 1, 0, 1))
    }

    @Test func eachLauncherIsRecognisedWithTheSizeItGives() {
        #expect(Launch.detect(["OMPI_COMM_WORLD_SIZE": "4", "PMIX_RANK": "1"])
                == Launch(launcher: "Open MPI's mpirun", evidence: "OMPI_COMM_WORLD_SIZE=4", size: 4))
        #expect(Launch.detect(["PMI_SIZE": "3", "PMI_RANK": "2"])?.size == 3)
        #expect(Launch.detect(["PMIX_RANK": "0", "SLURM_STEP_NUM_TASKS": "8"])?.size == 8)
        #expect(Launch.detect(["PMIX_RANK": "0"]).map { $0.size == nil } == true)
    }

    @Test func theTimeoutIsSecondsOrZeroForNever() throws {
        #expect(try Launcher.timeout([:]) == Launcher.defaultTimeout)
        #expect(try Launcher.timeout(["SPECRUN_MPI_TIMEOUT": "2.5"]) == 2.5)
        #expect(try Launcher.timeout(["SPECRUN_MPI_TIMEOUT": "0"]) == nil)
        for bad in ["-1", "soon", "inf"] {
            #expect(throws: LaunchError.self) { try Launcher.timeout(["SPECRUN_MPI_TIMEOUT": bad]) }
        }
        do {
            _ = try Launcher.communicator(environment: ["OMPI_COMM_WORLD_SIZE": "2", "SPECRUN_MPI_TIMEOUT": "soon"])
            Issue.record("a bad timeout was accepted")
        } catch {
            #expect(error.description == "SPECRUN_MPI_TIMEOUT must be a number of seconds (0 waits for ever), got 'soon'")
        }
    }

    @Test func aJobOfOneKeepsItsValues() {
        let one = SingleProcess()
        var sums = [1.5, -2.0]
        one.allreduceSum(&sums)
        #expect(sums == [1.5, -2.0])
        #expect(one.broadcast(Data([1, 2, 3]), from: 0) == Data([1, 2, 3]))
        #expect(one.failedRanks(true) == [0])
        #expect(one.failedRanks(false) == [])
    }
}
