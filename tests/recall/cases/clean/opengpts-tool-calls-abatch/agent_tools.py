"""Run the tools the model asked for and turn the results into messages."""
import json

from langchain_core.messages import ToolMessage
from langgraph.prebuilt import ToolExecutor, ToolInvocation


def make_tool_node(tools):
    tool_executor = ToolExecutor(tools)

    async def call_tools(messages):
        tool_calls = messages[-1].additional_kwargs["tool_calls"]
        actions = [
            ToolInvocation(tool=call["function"]["name"], tool_input=json.loads(call["function"]["arguments"] or "{}"))
            for call in tool_calls
        ]
        responses = await tool_executor.abatch(actions)
        return [
            ToolMessage(tool_call_id=call["id"], content=json.dumps(response))
            for call, response in zip(tool_calls, responses)
        ]

    return call_tools
