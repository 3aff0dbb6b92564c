Feature: Emit Task Waking A Listener
  As an implementer of the workflow DSL
  I want to ensure that the events a workflow emits reach the workflows listening for them
  So that workflows can coordinate through events

  Scenario: Emit Wakes A Listening Workflow
    Given a workflow "listener" with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: greeting-listener
      version: '1.0.0'
    do:
      - waitForGreeting:
          listen:
            to:
              one:
                with:
                  type: io.yieldflow.ctk.emit.greeted.v1
      - reply:
          set:
            heard: ${ .[0].greetings }
    """
    And a workflow "emitter" with definition:
    """yaml
    document:
      dsl: '1.0.3'
      namespace: default
      name: greeting-emitter
      version: '1.0.0'
    do:
      - greet:
          emit:
            event:
              with:
                source: https://ctk.yieldflow.test
                type: io.yieldflow.ctk.emit.greeted.v1
                data:
                  greetings: ${ "Hello \(.name)!" }
    """
    And the workflow "emitter" input is:
    """yaml
    name: Jane
    """
    When the workflow "listener" is executed
    And the workflow "listener" is waiting for events
    And the workflow "emitter" is executed
    Then the workflow "emitter" should complete
    And the workflow "listener" should complete with output:
    """yaml
    heard: Hello Jane!
    """
    And waitForGreeting should run before reply in "listener"
