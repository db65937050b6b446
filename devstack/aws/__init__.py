"""The AWS endpoint of the local stack: durable engines of our own for the services that hold data
(DynamoDB and its streams, SQS, S3 objects, ...), moto for the rest.

moto keeps everything in memory, forgets it on exit and walks or deep-copies whole tables on Query and
TransactWriteItems, so a call's cost grows with the data held. Each engine here keeps its state under
the stack's state folder (`.local/state/`), answers with the service's own wire protocol (boto3 and
the handlers cannot tell), commits before it answers (a 201 survives a SIGKILL) and costs what the
real service's cost model says (a Query reads one partition).
"""

from devstack.aws.endpoint import AwsEndpoint, Engine, service_of

__all__ = ["AwsEndpoint", "Engine", "service_of"]
