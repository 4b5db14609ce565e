import Foundation
import Testing
@testable import ParadiffusePipelines

// MARK: - Formatting

@Test func durationsReadAsMinutesAndSecondsOrHours() {
    #expect(ProgressLine.formatDuration(0) == "0:00")
    #expect(ProgressLine.formatDuration(12.4) == "0:12")
    #expect(ProgressLine.formatDuration(59.6) == "1:00")
    #expect(ProgressLine.formatDuration(3599) == "59:59")
    #expect(ProgressLine.formatDuration(3600) == "1:00:00")
    #expect(ProgressLine.formatDuration(3725) == "1:02:05")
    #expect(ProgressLine.formatDuration(.infinity) == "?:??")
}

@Test func ratesReadAsStepsPerSecondOrSecondsPerStep() {
    #expect(ProgressLine.formatRate(3.21) == "3.2 it/s")
    #expect(ProgressLine.formatRate(1) == "1.0 it/s")
    #expect(ProgressLine.formatRate(250) == "250.0 it/s")
    #expect(ProgressLine.formatRate(0.25) == "4.0 s/it")
}

@Test func lineBeforeTheFirstStepHasNoRate() {
    let line = ProgressLine(completed: 0, total: 50, elapsed: 0)
    #expect(line.text == "step 0/50 ▕" + String(repeating: "░", count: 24) + "▏ 0%")
}

@Test func lineMidwayShowsRateAndTimeLeft() {
    // 12 steps in 3.75 s: 3.2 it/s; 38 steps left take 11.875 s; 12/50 of 24 cells is 5.76, so 5 are full.
    let line = ProgressLine(completed: 12, total: 50, elapsed: 3.75)
    #expect(line.text == "step 12/50 ▕" + String(repeating: "█", count: 5) + String(repeating: "░", count: 19)
        + "▏ 24% · 3.2 it/s · ETA 0:12")
}

@Test func finishedLineShowsTotalTime() {
    let line = ProgressLine(label: "iteration", completed: 50, total: 50, elapsed: 15.6)
    #expect(line.text == "iteration 50/50 ▕" + String(repeating: "█", count: 24) + "▏ 100% · 3.2 it/s · took 0:16")
}

@Test func onlyAFinishedRunShowsAFullBar() {
    let line = ProgressLine(completed: 999, total: 1000, elapsed: 10)
    #expect(line.completedParts(of: 100) == 99)
    #expect(line.completedParts(of: ProgressLine.barWidth) == 23)
    #expect(ProgressLine(completed: 29, total: 100, elapsed: 1).completedParts(of: 100) == 29)
}

// MARK: - Reporting

@Test func silentReporterPrintsNothing() {
    let terminal = FakeTerminal()
    let reporter = terminal.reporter(style: .silent)
    reporter.start(total: 10)
    for step in 1...10 { terminal.now += 1; reporter.update(completed: step) }
    reporter.message("seed 42")
    reporter.finish()
    #expect(terminal.written.isEmpty)
}

@Test func terminalLineIsRedrawnInPlaceAndClosedAtTheEnd() {
    let terminal = FakeTerminal()
    let reporter = terminal.reporter(style: .updatingLine)
    reporter.start(total: 4)
    for step in 1...4 { terminal.now += 0.5; reporter.update(completed: step) }
    reporter.finish()
    let redraws = terminal.written.filter { $0.hasPrefix("\r") }
    #expect(redraws.count == 5)  // the empty bar, then each step (0.5 s apart, above the redraw interval)
    #expect(redraws.allSatisfy { $0.hasSuffix("\u{1B}[K") && !$0.contains("\n") })
    #expect(redraws.last == "\r" + ProgressLine(completed: 4, total: 4, elapsed: 2).text + "\u{1B}[K")
    #expect(terminal.written.last == "\n")
}

@Test func terminalRedrawsAreThrottledButTheLastStepIsShown() {
    let terminal = FakeTerminal()
    let reporter = terminal.reporter(style: .updatingLine)
    reporter.start(total: 100)
    for step in 1...100 { terminal.now += 0.01; reporter.update(completed: step) }
    reporter.finish()
    let redraws = terminal.written.filter { $0.hasPrefix("\r") }
    #expect(redraws.count <= 12)
    #expect(redraws.last?.contains("step 100/100") == true)
    #expect(terminal.written.filter { $0 == "\n" }.count == 1)
}

@Test func logGetsALineForEachTenthOfTheSteps() {
    let terminal = FakeTerminal()
    let reporter = terminal.reporter(style: .periodicLines)
    reporter.start(total: 50)
    for step in 1...50 { terminal.now += 0.1; reporter.update(completed: step) }
    reporter.finish()
    #expect(terminal.written.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
    let steps = terminal.written.map { $0.split(separator: " ")[1] }
    #expect(steps == ["1/50", "5/50", "10/50", "15/50", "20/50", "25/50", "30/50", "35/50", "40/50", "45/50", "50/50"])
}

@Test func slowStepsInALogPrintEveryFewSeconds() {
    let terminal = FakeTerminal()
    let reporter = terminal.reporter(style: .periodicLines)
    reporter.start(total: 1000)
    for step in 1...20 { terminal.now += 2; reporter.update(completed: step) }
    // Printed at step 1, then at least 5 s later: steps 4, 7, 10, ... (every third 2-second step).
    let steps = terminal.written.map { $0.split(separator: " ")[1] }
    #expect(steps == ["1/1000", "4/1000", "7/1000", "10/1000", "13/1000", "16/1000", "19/1000"])
}

@Test func messagesClearTheTerminalLineAndRedrawIt() {
    let terminal = FakeTerminal()
    let reporter = terminal.reporter(style: .updatingLine)
    reporter.message("seed 7")
    reporter.start(total: 2)
    reporter.message("loading")
    #expect(terminal.written[0] == "seed 7\n")
    #expect(terminal.written[2] == "\r\u{1B}[Kloading\n")
    #expect(terminal.written[3].hasPrefix("\rstep 0/2"))
}

/// Collects what a reporter writes, with a clock the test moves.
private final class FakeTerminal: @unchecked Sendable {
    var now = 100.0
    var written: [String] = []

    func reporter(style: ProgressReporter.Style) -> ProgressReporter {
        ProgressReporter(style: style, clock: { self.now }, output: { self.written.append($0) })
    }
}
