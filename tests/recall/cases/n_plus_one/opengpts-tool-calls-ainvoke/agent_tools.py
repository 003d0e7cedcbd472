"""Run the tools the model asked for and turn the results into messages."""
import json

from langchain_core.messages import ToolMessage
from langgraph.prebuilt import ToolExecutor, ToolInvocation


def make_tool_node(tools):
    tool_executor = ToolExecutor(tools)

    async def call_tools(messages):
        last_message = messages[-1]
        replies = []
        for tool_call in last_message.additional_kwargs["tool_calls"]:
            function = tool_call["function"]
            action = ToolInvocation(tool=function["name"], tool_input=json.loads(function["arguments"] or "{}"))
            response = await tool_executor.ainvoke(action)
            replies.append(ToolMessage(tool_call_id=tool_call["id"], content=json.dumps(response)))
        return replies

    return call_tools
